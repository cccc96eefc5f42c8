import { defineScript, type ScriptArg } from "../shared/lua-script.ts";
import type { ApprovalState } from "./types.ts";

/** transition.lua's first reply element. */
export const TRANSITION_CODE = { moved: 1, refused: 0, notFound: -1 } as const;

export type TransitionReply =
  | { code: "moved"; state: ApprovalState }
  | { code: "refused"; state: ApprovalState; by: string; at: string; reason: string }
  | { code: "not_found" };

/** Move one approval once (see the header of transition.lua). */
export const transitionScript = defineScript({
  file: new URL("./transition.lua", import.meta.url),
  keys: ["approval", "open", "decisions"],
  args: [
    "id",
    "from",
    "target",
    "actor",
    "at",
    "reason",
    "atMs",
    "final",
    "personal",
    "keepDecisions",
    "retainSeconds",
  ],
  decode(raw): TransitionReply {
    const r = raw as ScriptArg[];
    const code = Number(r[0]);
    if (code === TRANSITION_CODE.moved)
      return { code: "moved", state: String(r[1]) as ApprovalState };
    if (code === TRANSITION_CODE.refused) {
      return {
        code: "refused",
        state: String(r[1]) as ApprovalState,
        by: String(r[2] ?? ""),
        at: String(r[3] ?? ""),
        reason: String(r[4] ?? ""),
      };
    }
    return { code: "not_found" };
  },
});

/** create.lua's reply. */
export const CREATE_CODE = { created: 1, existed: 0 } as const;

/** Create a pending approval once (see the header of create.lua); true when this call created it. */
export const createScript = defineScript({
  file: new URL("./create.lua", import.meta.url),
  keys: ["approval", "open", "recordLatest", "recordAll"],
  args: ["id", "subject", "createdMs", "createdAt", "indexSeconds"],
  decode: (raw) => Number(raw) === CREATE_CODE.created,
});
