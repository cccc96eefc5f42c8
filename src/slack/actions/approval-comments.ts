import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { Logger } from "pino";
import type { ApprovalStore } from "../../approvals/store.ts";
import type { AuditFn } from "../../approvals/types.ts";
import {
  APPROVAL_ACTIONS,
  COMMENT_ACTION,
  COMMENT_BLOCK,
  COMMENT_MODAL_CALLBACK,
  commentModal,
} from "../views/approval-view.ts";
import { esc } from "../views/format.ts";
import { threadReply } from "./approval-messages.ts";
import { clickContext, refOf } from "./approval-outcome.ts";

/**
 * Comment…: a modal whose text goes to the alert's thread and the audit log. No state changes,
 * so anyone who sees the alert may comment, also after the decision.
 */
export function registerApprovalComments(
  app: App,
  deps: { store: ApprovalStore; audit: AuditFn; logger: Logger; clock: () => number },
): void {
  app.action<BlockAction<ButtonAction>>(
    APPROVAL_ACTIONS.comment,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const ctx = clickContext(body, client, (text) =>
        respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
      );
      const approval = await deps.store.get(action.value ?? "");
      if (!approval) {
        await ctx.tell("This approval no longer exists, so there is nothing to comment on.");
        return;
      }
      const ref = ctx.ref ?? refOf(approval);
      try {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: commentModal({
            approval,
            privateMetadata: JSON.stringify({
              id: approval.id,
              ...(ref ? { channel: ref.channel, ts: ref.ts } : {}),
            }),
          }) as never,
        });
      } catch (err) {
        deps.logger.warn({ err }, "views.open failed");
        await ctx.tell("I couldn't open the comment form in time. Please click Comment again.");
      }
    },
  );

  app.view<ViewSubmitAction>(COMMENT_MODAL_CALLBACK, async ({ ack, body, view, client }) => {
    const text = (view.state.values[COMMENT_BLOCK]?.[COMMENT_ACTION]?.value ?? "").trim();
    if (text === "") {
      await ack({
        response_action: "errors",
        errors: { [COMMENT_BLOCK]: "Write a comment first." },
      });
      return;
    }
    await ack();
    let meta: { id?: string; channel?: string; ts?: string } = {};
    try {
      meta = JSON.parse(view.private_metadata) as typeof meta;
    } catch {
      return;
    }
    const approval = meta.id ? await deps.store.get(meta.id) : undefined;
    if (!approval) return;
    await deps.audit({
      type: "approval.commented",
      approvalId: approval.id,
      alertId: approval.alertId,
      recordKey: approval.recordKey,
      actor: body.user.id,
      at: new Date(deps.clock()).toISOString(),
      comment: text,
    });
    const ref = meta.channel && meta.ts ? { channel: meta.channel, ts: meta.ts } : refOf(approval);
    if (ref) {
      await threadReply(
        client,
        deps.logger,
        ref,
        `:speech_balloon: <@${body.user.id}>: ${esc(text)}`,
      );
    }
  });
}
