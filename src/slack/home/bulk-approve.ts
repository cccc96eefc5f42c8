import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { type DecisionOutcome, decide } from "../../approvals/decide.ts";
import type { Approval } from "../../approvals/types.ts";
import { codeOf } from "../../shared/error-code.ts";
import type { ApprovalActionDeps } from "../actions/approval-actions.ts";
import { renderOutcome } from "../actions/approval-outcome.ts";
import { lineScope } from "../actions/document-scope.ts";
import { decisionLine, supersededLine } from "../views/approval-view.ts";
import { button, context, esc, formatMoney, modal, section, truncate } from "../views/format.ts";
import type { SlackBlock } from "../views/types.ts";

export const BULK_BLOCK = "home.bulk";
export const BULK_SELECT_ACTION = "home.bulk_select";
export const BULK_APPROVE_ACTION = "home.bulk_approve";
/** Slack's checkboxes element takes at most 10 options. */
const MAX_OPTIONS = 10;
/** An option's text is at most 75 characters (Block Kit composition object limits). */
const OPTION_TEXT = 75;

/** App Home's "select several, approve" block; only open approvals this user may decide. */
export function bulkBlocks(pending: readonly Approval[]): SlackBlock[] {
  const open = pending.filter((a) => a.state !== "info_requested").slice(0, MAX_OPTIONS);
  if (open.length < 2) return [];
  return [
    section("*Approve several at once* · each is checked in Infor again when you click"),
    {
      type: "actions",
      block_id: BULK_BLOCK,
      elements: [
        {
          type: "checkboxes",
          action_id: BULK_SELECT_ACTION,
          options: open.map((a) => ({
            text: {
              type: "plain_text",
              text: truncate(`${a.title} · ${formatMoney(a.amount)}`, OPTION_TEXT),
            },
            value: a.id,
          })),
        },
        button("Approve selected", BULK_APPROVE_ACTION, "bulk", {
          style: "primary",
          confirm: {
            title: { type: "plain_text", text: "Approve selected?" },
            text: {
              type: "plain_text",
              text: "Each selected document is re-checked and approved in your name, or refused with its reason.",
            },
            confirm: { type: "plain_text", text: "Approve" },
            deny: { type: "plain_text", text: "Cancel" },
          },
        }),
      ],
    },
  ];
}

/**
 * Bulk approve: each selected approval goes through the one decision path a button click takes
 * (bands, segregation of duties, ERP re-read, write-back when enabled, channel message stamped);
 * the clicker gets one summary in a modal, opened at once (trigger_id lives 3 s) and filled in
 * when every item is decided, before the messages are stamped.
 */
export function registerBulkApprove(app: App, deps: ApprovalActionDeps): void {
  const log = deps.logger.child({ component: "approvals.bulk" });
  // Ticking a box is an interaction too: Slack wants it acknowledged.
  app.action(BULK_SELECT_ACTION, async ({ ack }) => {
    await ack();
  });

  app.action<BlockAction<ButtonAction>>(BULK_APPROVE_ACTION, async ({ ack, body, client }) => {
    await ack();
    const user = body.user.id;
    const picked = selectedIds(body);
    let viewId: string | undefined;
    try {
      const opened = await client.views.open({
        trigger_id: body.trigger_id,
        view: summaryModal(
          picked.length === 0
            ? ["Select at least one document first."]
            : [`Checking ${picked.length} document(s) in Infor…`],
        ) as never,
      });
      viewId = opened.view?.id;
    } catch (err) {
      log.warn({ code: codeOf(err) }, "views.open failed");
    }
    if (picked.length === 0) return;
    const lines: string[] = [];
    const outcomes: DecisionOutcome[] = [];
    let approved = 0;
    for (const id of picked) {
      // A line of an invoice's message is approved as that line (M3 line approval), as its own
      // button would; the invoice's own approval as the invoice.
      const stored = await deps.store.get(id);
      const scope = stored ? await lineScope(deps.store, stored) : undefined;
      const outcome = await decide(deps, {
        approvalId: id,
        verb: "approve",
        actor: user,
        ...(scope ? { scope } : {}),
      });
      if (outcome.kind === "done" && outcome.approval.state === "approved") approved += 1;
      lines.push(summaryLine(id, outcome));
      outcomes.push(outcome);
    }
    // The clicker hears first: the stamps take chat.update's tier (one per 1.2 s without a
    // burst), so ten of them would keep the summary waiting for over ten seconds.
    const head = `${approved} of ${picked.length} approved.`;
    if (viewId) {
      await client.views
        .update({ view_id: viewId, view: summaryModal([head, ...lines]) as never })
        .catch((err) => log.warn({ code: codeOf(err) }, "views.update failed"));
    }
    for (const outcome of outcomes) {
      // The channel message and thread follow as for a click; its private notes are not needed.
      await renderOutcome(deps, log, outcome, "approve", {
        client,
        user,
        tell: async () => {},
      }).catch((err) => log.warn({ code: codeOf(err) }, "bulk item render failed"));
    }
    await deps.refreshHome(client, user).catch(() => {});
  });
}

function selectedIds(body: BlockAction): string[] {
  const values = (body.view as { state?: { values?: Record<string, Record<string, unknown>> } })
    ?.state?.values;
  const el = values?.[BULK_BLOCK]?.[BULK_SELECT_ACTION] as
    | { selected_options?: { value?: unknown }[] }
    | undefined;
  const ids = (el?.selected_options ?? [])
    .map((o) => o.value)
    .filter((v): v is string => typeof v === "string" && /^apv_[0-9a-f]{24}$/.test(v));
  return [...new Set(ids)].slice(0, MAX_OPTIONS);
}

function summaryLine(id: string, o: DecisionOutcome): string {
  const title = "approval" in o ? esc(o.approval.title) : id;
  switch (o.kind) {
    case "done":
      return `:white_check_mark: ${title}: approved${o.onBehalfOf ? ` on behalf of <@${o.onBehalfOf}>` : ""}`;
    case "refused":
      return `:lock: ${title}: refused, ${esc(o.message)}`;
    case "already":
      return `:information_source: ${title}: no longer pending (${decisionLine({ state: o.state, ...(o.by ? { by: o.by } : {}) })})`;
    case "superseded":
      return `:arrows_counterclockwise: ${title}: not approved, ${supersededLine(o.erpStatus, o.detail).replace(/^:\w+: /, "")}`;
    case "recheck_failed":
      return `:warning: ${title}: not approved, Infor could not be read (${esc(o.reason)})`;
    case "not_found":
      return `:grey_question: ${id}: no such approval`;
    default:
      return `${title}: ${o.kind}`;
  }
}

function summaryModal(lines: string[]): Record<string, unknown> {
  return modal({
    callbackId: "home.bulk_summary",
    title: "Bulk approve",
    close: "Close",
    blocks: [
      section(lines[0] ?? ""),
      ...(lines.length > 1 ? [context(...lines.slice(1, 11))] : []),
    ],
  });
}
