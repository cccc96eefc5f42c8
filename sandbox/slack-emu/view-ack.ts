import { withBlockIds } from "./blocks.ts";
import type { PlatformResult } from "./platform.ts";
import type { EmuStore } from "./store.ts";

/** Slack closes a modal on an empty 200 ack; `response_action` errors/update/clear change that. */
export function applySubmissionAck(store: EmuStore, viewId: string, r: PlatformResult): void {
  const view = store.views.get(viewId);
  if (!view || r.status !== 200) return;
  const ack = (r.json ?? {}) as Record<string, unknown>;
  if (ack.response_action === "errors" || ack.response_action === "push") return;
  if (ack.response_action === "update" && typeof ack.view === "object" && ack.view) {
    const v = ack.view as Record<string, unknown>;
    view.history.push({ ...view, history: undefined });
    view.blocks = Array.isArray(v.blocks) ? (withBlockIds(v.blocks) ?? []) : view.blocks;
    view.title = v.title ?? view.title;
    store.emit({ type: "view", action: "updated", view });
    return;
  }
  view.closed = true;
  store.emit({ type: "view", action: "closed", view });
}
