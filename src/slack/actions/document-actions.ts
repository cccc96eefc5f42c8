import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import { hashParts } from "../../alerts/alert.ts";
import type { DecisionOutcome } from "../../approvals/decide.ts";
import { type DocumentOutcome, decideDocument } from "../../approvals/decide-document.ts";
import type { Approval } from "../../approvals/types.ts";
import { groupBy } from "../../shared/group-by.ts";
import { DOCUMENT_ACTIONS } from "../blocks/document.ts";
import { cleanFreeText, REASON_MAX } from "../free-text.ts";
import {
  decisionLine,
  REJECT_REASON_ACTION,
  REJECT_REASON_BLOCK,
  rejectModal,
} from "../views/approval-view.ts";
import { esc } from "../views/format.ts";
import type { ApprovalActionDeps } from "./approval-actions.ts";
import { bindClick, clickSite } from "./approval-binding.ts";
import { messageCarriesApproval } from "./approval-messages.ts";
import {
  type ClickContext,
  clickContext,
  postDecisionNotice,
  refOf,
  refreshHomeOf,
  renderOutcome,
  tellPrivately,
} from "./approval-outcome.ts";

/** Callback of the whole-invoice rejection modal; its metadata is `{"ids":[…]}` (ours). */
export const DOCUMENT_REJECT_CALLBACK = "approval.doc_reject_modal";

const MAX_IDS = 50;
const MIN_REASON = 3;

/**
 * Approve all / Reject invoice… on an invoice's message with several exception lines: every
 * line's approval named by the button is bound to this very message (as a line's own click
 * would be), then decided together (decideDocument). Each decided line is stamped and threaded
 * as its own click would be; the clicker gets one summary.
 */
export function registerDocumentActions(app: App, deps: ApprovalActionDeps): void {
  const log = deps.logger.child({ component: "approvals" });

  async function boundAll(
    body: BlockAction,
    value: unknown,
    ctx: ClickContext,
  ): Promise<Approval[] | undefined> {
    const ids = typeof value === "string" ? value.split(",").slice(0, MAX_IDS) : [];
    const out: Approval[] = [];
    for (const id of ids) {
      const b = await bindClick(deps.store, id, clickSite(body), (ref, aid) =>
        messageCarriesApproval(ctx.client, ref, aid),
      );
      if (!b.ok) {
        await ctx.tell(b.message);
        return undefined;
      }
      out.push(b.approval);
    }
    if (out.length === 0) {
      await ctx.tell("This button names no approval. Nothing was recorded.");
      return undefined;
    }
    const ref = refOf(out[0] ?? {});
    if (ref) ctx.ref = ref;
    return out;
  }

  async function render(outcome: DocumentOutcome, verb: "approve" | "reject", ctx: ClickContext) {
    const kept = outcome.already.map(
      (a) =>
        `${esc(a.title)}: ${decisionLine({
          state: a.state,
          ...(a.decidedBy ? { by: a.decidedBy } : {}),
          ...(a.decidedAt ? { at: a.decidedAt } : {}),
        })}`,
    );
    const keptNote =
      kept.length > 0 ? `\nAlready decided, kept as it was:\n• ${kept.join("\n• ")}` : "";
    switch (outcome.kind) {
      case "nothing_open":
        await ctx.tell(`Every line was decided already. Nothing changed.${keptNote}`);
        return;
      case "refused": {
        const why =
          outcome.outcome.kind === "refused" ? outcome.outcome.message : "it cannot be decided now";
        await ctx.tell(
          `:lock: Not decided: ${esc(outcome.line.title)}: ${why} Nothing was recorded for the invoice; decide the lines you may one by one.`,
        );
        return;
      }
      case "stopped":
        // The invoice's first line went to the ERP and did not come back decided: say why there.
        await renderOutcome(deps, log, outcome.outcome, verb, ctx);
        return;
      case "done": {
        // Each line's stamp as its own click would write it; the thread and the clicker's Home
        // hear of the invoice once (a notice per line notified the thread's followers N times).
        const parts = { notice: false, home: false };
        for (const o of outcome.outcomes) await renderOutcome(deps, log, o, verb, ctx, parts);
        await noticeOnce(outcome.outcomes, ctx);
        await refreshHomeOf(deps, log, ctx);
        const n = outcome.outcomes.filter((o) => o.kind === "done").length;
        await ctx.tell(
          `${verb === "approve" ? ":white_check_mark: Approved" : ":x: Rejected"} ${n} open line${n === 1 ? "" : "s"} of the invoice.${keptNote}`,
        );
        return;
      }
    }
  }

  /** One thread notice for the lines one whole-invoice click decided: what, by whom, which. */
  async function noticeOnce(outcomes: DecisionOutcome[], ctx: ClickContext) {
    const decided = outcomes.flatMap((o) => (o.kind === "done" ? [o] : []));
    const first = decided[0]?.approval;
    const ref = ctx.ref ?? (first ? refOf(first) : undefined);
    if (!first || !ref) return;
    // Lines decided alike share one line of text (a delegation or a reason could differ); the
    // time is the click's last decision (the first line may go through M3 a second earlier).
    const at =
      decided
        .map((o) => o.approval.decidedAt ?? "")
        .sort()
        .at(-1) ?? "";
    const words = (o: (typeof decided)[number], when?: string) =>
      decisionLine({
        state: o.approval.state,
        by: ctx.user,
        ...(o.onBehalfOf ? { onBehalfOf: o.onBehalfOf } : {}),
        ...(when ? { at: when } : {}),
        ...(o.approval.reason ? { reason: o.approval.reason } : {}),
      });
    const text = [...groupBy(decided, (o) => words(o)).values()]
      .map((list) => {
        const titles = titlesOf(list.map((o) => o.approval.title));
        return `${words(list[0] as (typeof list)[number], at)} · ${titles}`;
      })
      .join("\n");
    await postDecisionNotice(deps, log, ctx, {
      approval: first,
      ref,
      text,
      key: `decision:document:${first.state}:${at}:${ctx.user}:${hashParts(decided.map((o) => o.approval.id))}`,
    });
  }

  app.action<BlockAction<ButtonAction>>(
    DOCUMENT_ACTIONS.approveAll,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const ctx = clickContext(body, client, (text) =>
        respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
      );
      const approvals = await boundAll(body, action.value, ctx);
      if (!approvals) return;
      const outcome = await decideDocument(deps, { approvals, verb: "approve", actor: ctx.user });
      await render(outcome, "approve", ctx);
    },
  );

  app.action<BlockAction<ButtonAction>>(
    DOCUMENT_ACTIONS.rejectAll,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const ctx = clickContext(body, client, (text) =>
        respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
      );
      const approvals = await boundAll(body, action.value, ctx);
      const first = approvals?.[0];
      if (!approvals || !first) return;
      try {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: rejectModal({
            approval: first,
            callbackId: DOCUMENT_REJECT_CALLBACK,
            title: `Reject the invoice: ${approvals.length} lines`,
            privateMetadata: JSON.stringify({ ids: approvals.map((a) => a.id) }),
          }) as never,
        });
      } catch (err) {
        log.warn({ err }, "views.open failed");
        await ctx.tell("I couldn't open the rejection form in time. Please click again.");
      }
    },
  );

  app.view<ViewSubmitAction>(DOCUMENT_REJECT_CALLBACK, async ({ ack, body, view, client }) => {
    const cleaned = cleanFreeText(
      view.state.values[REJECT_REASON_BLOCK]?.[REJECT_REASON_ACTION]?.value,
      REASON_MAX,
    );
    if (!cleaned.ok || [...cleaned.text].length < MIN_REASON) {
      await ack({
        response_action: "errors",
        errors: {
          [REJECT_REASON_BLOCK]: cleaned.ok
            ? "Please say why you reject it (a few words at least)."
            : cleaned.error,
        },
      });
      return;
    }
    const ids = idsOf(view.private_metadata);
    const approvals: Approval[] = [];
    for (const id of ids) {
      const a = await deps.store.get(id);
      if (a) approvals.push(a);
    }
    const first = approvals[0];
    // Every approval must sit on one and the same message (ours, from the store).
    const ref = first ? refOf(first) : undefined;
    if (!first || !ref || approvals.some((a) => a.channel !== ref.channel || a.ts !== ref.ts)) {
      await ack({
        response_action: "errors",
        errors: { [REJECT_REASON_BLOCK]: "This invoice's approvals no longer exist." },
      });
      return;
    }
    await ack();
    const user = body.user.id;
    const ctx: ClickContext = {
      client,
      user,
      ref,
      tell: (text) => tellPrivately(client, user, ref.channel, text, log),
    };
    const outcome = await decideDocument(deps, {
      approvals,
      verb: "reject",
      actor: user,
      reason: cleaned.text,
    });
    await render(outcome, "reject", ctx);
  });
}

/** Up to five line titles, then how many more: a notice stays a line or two. */
export function titlesOf(titles: string[]): string {
  const shown = titles.slice(0, 5).map(esc).join("; ");
  const more = titles.length - 5;
  return more > 0 ? `${shown}; and ${more} more line${more === 1 ? "" : "s"}` : shown;
}

/** The approval ids a whole-invoice modal carries (`{"ids":[…]}`, written by us); else none. */
export function idsOf(raw: string): string[] {
  try {
    const m = JSON.parse(raw) as { ids?: unknown } | null;
    if (!Array.isArray(m?.ids)) return [];
    return m.ids.filter((x): x is string => typeof x === "string").slice(0, MAX_IDS);
  } catch {
    return [];
  }
}
