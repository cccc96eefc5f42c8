// The alert model moved to src/alerts (destination-neutral). This re-export only keeps
// src/slack/blocks/* compiling until those files, owned by work in flight, import it directly.
export * from "../alerts/alert.ts";
