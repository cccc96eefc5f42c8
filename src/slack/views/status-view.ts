import type { StatusReport } from "../lookup-service.ts";
import { context, esc, fields, formatTime, header, section } from "./format.ts";
import type { SlackMessage } from "./types.ts";

/**
 * `/infor status`. The README keeps its details (queue depth, dead letters, token expiry, poll
 * times, notes) for admins; everyone else sees whether each poller is healthy, nothing more.
 */
export function statusView(s: StatusReport, o: { detailed: boolean }): SlackMessage {
  const bad = s.entities.filter((e) => !e.ok).length;
  const text = bad === 0 ? "All pollers healthy." : `${bad} poller(s) need attention.`;
  if (!o.detailed) {
    const summary = s.entities.map(
      (e) => `${e.ok ? ":large_green_circle:" : ":red_circle:"} *${esc(e.entity)}*`,
    );
    return {
      text,
      blocks: [
        header("cloudsuite-slack status"),
        section(summary.length > 0 ? summary.join("\n") : "No pollers configured."),
        context("Details (queue, dead letters, token, poll times) are shown to admins only."),
      ],
    };
  }
  const lines = s.entities.map((e) => {
    const lag = e.lagSeconds === undefined ? "" : ` · lag ${Math.round(e.lagSeconds / 60)} min`;
    const why = e.error ? `\n      ↳ ${esc(e.error)}` : "";
    return `${e.ok ? ":large_green_circle:" : ":red_circle:"} *${esc(e.entity)}* · last ${formatTime(e.lastPollAt)} · next ${formatTime(e.nextPollAt)}${lag}${why}`;
  });
  const blocks = [
    header("cloudsuite-slack status"),
    section(lines.length > 0 ? lines.join("\n") : "No pollers configured."),
    fields([
      ["Delivery queue", String(s.queueDepth ?? "–")],
      ["Dead letters", String(s.deadLetters ?? "–")],
      ["ION token expires", s.tokenExpiresAt ? formatTime(s.tokenExpiresAt) : "–"],
      ["Unrouted records", String(s.unrouted ?? "–")],
    ]),
  ];
  if (s.notes && s.notes.length > 0) blocks.push(context(...s.notes.map(esc)));
  return { text, blocks };
}
