import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { Logger } from "pino";
import { type DecisionDeps, decide, precheck } from "../../approvals/decide.ts";
import { isOpen } from "../../approvals/types.ts";
import { cleanFreeText, REASON_MAX } from "../free-text.ts";
import {
  APPROVAL_ACTIONS,
  decisionLine,
  REJECT_MODAL_CALLBACK,
  REJECT_REASON_ACTION,
  REJECT_REASON_BLOCK,
  rejectModal,
} from "../views/approval-view.ts";
import { bindClick, clickSite } from "./approval-binding.ts";
import { messageCarriesApproval } from "./approval-messages.ts";
import {
  type ClickContext,
  clickContext,
  type OutcomeDeps,
  refOf,
  renderOutcome,
  tellPrivately,
} from "./approval-outcome.ts";
import { lineScope } from "./document-scope.ts";
import { approvalIdOf } from "./modal-metadata.ts";

export interface ApprovalActionDeps extends DecisionDeps, OutcomeDeps {
  logger: Logger;
}

const MIN_REASON = 3;

export function registerApprovalActions(app: App, deps: ApprovalActionDeps): void {
  const log = deps.logger.child({ component: "approvals" });

  /** Binds the click to its approval's own message; a refusal is told and audited. */
  async function bound(body: BlockAction, value: unknown, ctx: ClickContext) {
    const b = await bindClick(deps.store, value, clickSite(body), (ref, id) =>
      messageCarriesApproval(ctx.client, ref, id),
    );
    if (b.ok) {
      const ref = refOf(b.approval);
      if (ref) ctx.ref = ref;
      return b.approval;
    }
    if (b.code === "not_this_message" && typeof value === "string") {
      await deps.audit({
        type: "approval.refused",
        approvalId: value,
        actor: ctx.user,
        at: new Date((deps.clock ?? Date.now)()).toISOString(),
        code: b.code,
      });
    }
    await ctx.tell(b.message);
    return undefined;
  }

  for (const verb of ["approve", "hold"] as const) {
    app.action<BlockAction<ButtonAction>>(
      APPROVAL_ACTIONS[verb],
      async ({ ack, body, action, client, respond }) => {
        await ack();
        const ctx = clickContext(body, client, (text) =>
          respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
        );
        const approval = await bound(body, action.value, ctx);
        if (!approval) return;
        const scope = verb === "approve" ? await lineScope(deps.store, approval) : undefined;
        const outcome = await decide(deps, {
          approvalId: approval.id,
          verb,
          actor: ctx.user,
          ...(scope ? { scope } : {}),
        });
        await renderOutcome(deps, log, outcome, verb, ctx);
      },
    );
  }

  app.action<BlockAction<ButtonAction>>(
    APPROVAL_ACTIONS.reject,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const ctx = clickContext(body, client, (text) =>
        respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
      );
      const approval = await bound(body, action.value, ctx);
      if (!approval) return;
      // trigger_id lives 3 seconds: only fast checks (Redis, cached groups) before views.open.
      const checked = await precheck(deps, approval.id, ctx.user, "reject");
      if (checked.kind !== "ok") return renderOutcome(deps, log, checked, "reject", ctx);
      try {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: rejectModal({
            approval: checked.approval,
            privateMetadata: JSON.stringify({ id: approval.id }),
          }) as never,
        });
      } catch (err) {
        log.warn({ err }, "views.open failed");
        await ctx.tell("I couldn't open the rejection form in time. Please click Reject again.");
      }
    },
  );

  app.view<ViewSubmitAction>(REJECT_MODAL_CALLBACK, async ({ ack, body, view, client }) => {
    const cleaned = cleanFreeText(
      view.state.values[REJECT_REASON_BLOCK]?.[REJECT_REASON_ACTION]?.value,
      REASON_MAX,
    );
    if (!cleaned.ok) {
      await ack({ response_action: "errors", errors: { [REJECT_REASON_BLOCK]: cleaned.error } });
      return;
    }
    const reason = cleaned.text;
    if ([...reason].length < MIN_REASON) {
      await ack({
        response_action: "errors",
        errors: { [REJECT_REASON_BLOCK]: "Please say why you reject it (a few words at least)." },
      });
      return;
    }
    const id = approvalIdOf(view.private_metadata);
    const current = id ? await deps.store.get(id) : undefined;
    if (!current) {
      await ack({
        response_action: "errors",
        errors: { [REJECT_REASON_BLOCK]: "This approval no longer exists." },
      });
      return;
    }
    if (!isOpen(current.state)) {
      const line = decisionLine({
        state: current.state,
        ...(current.decidedBy ? { by: current.decidedBy } : {}),
        ...(current.decidedAt ? { at: current.decidedAt } : {}),
      });
      await ack({
        response_action: "errors",
        errors: { [REJECT_REASON_BLOCK]: `Already decided: ${plain(line)}. Nothing to reject.` },
      });
      return;
    }
    await ack();
    const user = body.user.id;
    // Where the message is comes from our store, whatever the modal's metadata says.
    const ref = refOf(current);
    const ctx: ClickContext = {
      client,
      user,
      ...(ref ? { ref } : {}),
      tell: (text) => tellPrivately(client, user, ref?.channel, text, log),
    };
    const scope = await lineScope(deps.store, current);
    const outcome = await decide(deps, {
      approvalId: current.id,
      verb: "reject",
      actor: user,
      reason,
      ...(scope ? { scope } : {}),
    });
    await renderOutcome(deps, log, outcome, "reject", ctx);
  });
}

function plain(line: string): string {
  return line
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/:[a-z_]+:\s*/g, "")
    .replace(/\*/g, "")
    .replace(/<@([A-Z0-9]+)>/g, "@$1");
}
