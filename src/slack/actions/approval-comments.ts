import { createHash } from "node:crypto";
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { Logger } from "pino";
import type { ApprovalStore } from "../../approvals/store.ts";
import type { AuditFn } from "../../approvals/types.ts";
import { codeOf } from "../../shared/error-code.ts";
import { COMMENT_MAX, cleanFreeText } from "../free-text.ts";
import {
  APPROVAL_ACTIONS,
  COMMENT_ACTION,
  COMMENT_BLOCK,
  COMMENT_MODAL_CALLBACK,
  commentModal,
} from "../views/approval-view.ts";
import { esc } from "../views/format.ts";
import { bindClick, clickSite } from "./approval-binding.ts";
import {
  directThreadPoster,
  messageCarriesApproval,
  type ThreadPoster,
} from "./approval-messages.ts";
import { clickContext, refOf } from "./approval-outcome.ts";
import { approvalIdOf } from "./modal-metadata.ts";

/**
 * Comment…: a modal whose text goes to the alert's thread and the audit log. No state changes,
 * so anyone who sees the alert may comment, also after the decision.
 */
export function registerApprovalComments(
  app: App,
  deps: {
    store: ApprovalStore;
    audit: AuditFn;
    logger: Logger;
    clock: () => number;
    threadPoster?: ThreadPoster;
  },
): void {
  app.action<BlockAction<ButtonAction>>(
    APPROVAL_ACTIONS.comment,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const ctx = clickContext(body, client, (text) =>
        respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
      );
      const bound = await bindClick(deps.store, action.value, clickSite(body), (ref, id) =>
        messageCarriesApproval(client, ref, id),
      );
      if (!bound.ok) {
        await ctx.tell(
          bound.code === "not_found"
            ? "This approval no longer exists, so there is nothing to comment on."
            : bound.message,
        );
        return;
      }
      try {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: commentModal({
            approval: bound.approval,
            privateMetadata: JSON.stringify({ id: bound.approval.id }),
          }) as never,
        });
      } catch (err) {
        deps.logger.warn({ err }, "views.open failed");
        await ctx.tell("I couldn't open the comment form in time. Please click Comment again.");
      }
    },
  );

  app.view<ViewSubmitAction>(COMMENT_MODAL_CALLBACK, async ({ ack, body, view, client }) => {
    const cleaned = cleanFreeText(
      view.state.values[COMMENT_BLOCK]?.[COMMENT_ACTION]?.value,
      COMMENT_MAX,
    );
    if (!cleaned.ok || cleaned.text === "") {
      await ack({
        response_action: "errors",
        errors: { [COMMENT_BLOCK]: cleaned.ok ? "Write a comment first." : cleaned.error },
      });
      return;
    }
    const text = cleaned.text;
    const id = approvalIdOf(view.private_metadata);
    const approval = id ? await deps.store.get(id) : undefined;
    if (!approval) {
      await ack({
        response_action: "errors",
        errors: { [COMMENT_BLOCK]: "This approval no longer exists." },
      });
      return;
    }
    await ack();
    const at = new Date(deps.clock()).toISOString();
    await deps.audit({
      type: "approval.commented",
      approvalId: approval.id,
      alertId: approval.alertId,
      recordKey: approval.recordKey,
      actor: body.user.id,
      at,
      comment: text,
    });
    // The thread is the one our store knows for this approval, whatever the modal said.
    const ref = refOf(approval);
    if (ref) {
      const post = deps.threadPoster ?? directThreadPoster(client, deps.logger);
      const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
      await post({
        approval,
        ref,
        text: `:speech_balloon: <@${body.user.id}>: ${esc(text)}`,
        key: `comment:${body.user.id}:${at}:${digest}`,
      }).catch((err) =>
        deps.logger.warn({ code: codeOf(err), approvalId: approval.id }, "comment not queued"),
      );
    }
  });
}
