import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { Logger } from "pino";
import { type DecisionDeps, decide, precheck } from "../../approvals/decide.ts";
import { isOpen } from "../../approvals/types.ts";
import {
  APPROVAL_ACTIONS,
  decisionLine,
  REJECT_MODAL_CALLBACK,
  REJECT_REASON_ACTION,
  REJECT_REASON_BLOCK,
  rejectModal,
} from "../views/approval-view.ts";
import type { MessageRef } from "./approval-messages.ts";
import {
  type ClickContext,
  clickContext,
  type OutcomeDeps,
  renderOutcome,
  tellPrivately,
} from "./approval-outcome.ts";

export interface ApprovalActionDeps extends DecisionDeps, OutcomeDeps {
  logger: Logger;
}

const MIN_REASON = 3;

export function registerApprovalActions(app: App, deps: ApprovalActionDeps): void {
  const log = deps.logger.child({ component: "approvals" });

  for (const verb of ["approve", "hold"] as const) {
    app.action<BlockAction<ButtonAction>>(
      APPROVAL_ACTIONS[verb],
      async ({ ack, body, action, client, respond }) => {
        await ack();
        const ctx = clickContext(body, client, (text) =>
          respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
        );
        const id = action.value ?? "";
        await attachIfMissing(id, ctx.ref);
        const outcome = await decide(deps, { approvalId: id, verb, actor: ctx.user });
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
      const id = action.value ?? "";
      await attachIfMissing(id, ctx.ref);
      // trigger_id lives 3 seconds: only fast checks (Redis, cached groups) before views.open.
      const checked = await precheck(deps, id, ctx.user, "reject");
      if (checked.kind !== "ok") return renderOutcome(deps, log, checked, "reject", ctx);
      const metadata = JSON.stringify({
        id,
        ...(ctx.ref ? { channel: ctx.ref.channel, ts: ctx.ref.ts } : {}),
      });
      try {
        await client.views.open({
          trigger_id: body.trigger_id,
          view: rejectModal({ approval: checked.approval, privateMetadata: metadata }) as never,
        });
      } catch (err) {
        log.warn({ err }, "views.open failed");
        await ctx.tell("I couldn't open the rejection form in time. Please click Reject again.");
      }
    },
  );

  app.view<ViewSubmitAction>(REJECT_MODAL_CALLBACK, async ({ ack, body, view, client }) => {
    const reason = (
      view.state.values[REJECT_REASON_BLOCK]?.[REJECT_REASON_ACTION]?.value ?? ""
    ).trim();
    if (reason.length < MIN_REASON) {
      await ack({
        response_action: "errors",
        errors: { [REJECT_REASON_BLOCK]: "Please say why you reject it (a few words at least)." },
      });
      return;
    }
    const meta = parseMetadata(view.private_metadata);
    const current = meta ? await deps.store.get(meta.id) : undefined;
    if (!meta || !current) {
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
    const ref =
      meta.channel && meta.ts
        ? { channel: meta.channel, ts: meta.ts }
        : current.channel && current.ts
          ? { channel: current.channel, ts: current.ts }
          : undefined;
    const ctx: ClickContext = {
      client,
      user,
      ...(ref ? { ref } : {}),
      tell: (text) => tellPrivately(client, user, ref?.channel, text, log),
    };
    const outcome = await decide(deps, {
      approvalId: meta.id,
      verb: "reject",
      actor: user,
      reason,
    });
    await renderOutcome(deps, log, outcome, "reject", ctx);
  });

  async function attachIfMissing(id: string, ref: MessageRef | undefined) {
    if (!ref || id === "") return;
    const a = await deps.store.get(id);
    if (a && !a.channel) await deps.store.attachMessage(id, ref.channel, ref.ts);
  }
}

function parseMetadata(raw: string): { id: string; channel?: string; ts?: string } | undefined {
  try {
    const m = JSON.parse(raw) as { id?: unknown; channel?: unknown; ts?: unknown };
    if (typeof m.id !== "string") return undefined;
    return {
      id: m.id,
      ...(typeof m.channel === "string" ? { channel: m.channel } : {}),
      ...(typeof m.ts === "string" ? { ts: m.ts } : {}),
    };
  } catch {
    return undefined;
  }
}

function plain(line: string): string {
  return line
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/:[a-z_]+:\s*/g, "")
    .replace(/\*/g, "")
    .replace(/<@([A-Z0-9]+)>/g, "@$1");
}
