import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import {
  type DecisionDeps,
  type DecisionOutcome,
  decide,
  type HumanVerb,
  precheck,
} from "../../approvals/decide.ts";
import { isOpen } from "../../approvals/types.ts";
import {
  APPROVAL_ACTIONS,
  decisionLine,
  REJECT_MODAL_CALLBACK,
  REJECT_REASON_ACTION,
  REJECT_REASON_BLOCK,
  rejectModal,
  supersededLine,
} from "../views/approval-view.ts";
import type { SlackBlock } from "../views/types.ts";
import { type MessageRef, threadReply, updateApprovalMessage } from "./approval-messages.ts";

export interface ApprovalActionDeps extends DecisionDeps {
  logger: Logger;
  /** Re-publish one user's Home tab (after each decision). */
  refreshHome: (client: WebClient, userId: string) => Promise<void>;
  /** Decisions and refusals, for the approvals counter. */
  onOutcome?: (outcome: "approved" | "rejected" | "denied") => void;
}

const MIN_REASON = 3;

interface ClickContext {
  client: WebClient;
  user: string;
  /** The message the button sat on; undefined when clicked in App Home. */
  ref?: MessageRef;
  /** Private answer to the clicker (response_url, ephemeral in channel, or DM). */
  tell: (text: string) => Promise<void>;
}

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
        await render(outcome, verb, ctx);
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
      if (checked.kind !== "ok") return render(checked, "reject", ctx);
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
    await render(outcome, "reject", ctx);
  });

  async function attachIfMissing(id: string, ref: MessageRef | undefined) {
    if (!ref || id === "") return;
    const a = await deps.store.get(id);
    if (a && !a.channel) await deps.store.attachMessage(id, ref.channel, ref.ts);
  }

  async function render(outcome: DecisionOutcome, verb: HumanVerb, ctx: ClickContext) {
    switch (outcome.kind) {
      case "done": {
        const a = outcome.approval;
        if (a.state === "approved" || a.state === "rejected") deps.onOutcome?.(a.state);
        const line = decisionLine({
          state: a.state,
          by: ctx.user,
          ...(a.decidedAt ? { at: a.decidedAt } : {}),
          ...(a.reason ? { reason: a.reason } : {}),
        });
        const ref = ctx.ref ?? refOf(a);
        if (ref) {
          await updateApprovalMessage(
            ctx.client,
            log,
            ref,
            a,
            line,
            verb === "hold" ? "keep_buttons" : "final",
          );
          await threadReply(ctx.client, log, ref, line);
        } else {
          await ctx.tell(line);
        }
        if (outcome.writeBack.status === "failed") {
          await ctx.tell(
            `:warning: Recorded here, but writing it back to the ERP failed (\`${outcome.writeBack.code}\`). An admin has been told through the audit log.`,
          );
        }
        await deps
          .refreshHome(ctx.client, ctx.user)
          .catch((err) => log.warn({ err }, "home refresh failed"));
        return;
      }
      case "already": {
        const line = decisionLine({
          state: outcome.state,
          ...(outcome.by ? { by: outcome.by } : {}),
          ...(outcome.at ? { at: outcome.at } : {}),
        });
        await ctx.tell(
          outcome.state === "hold" && verb === "hold"
            ? `Already on hold: ${line}`
            : `Already decided: ${line}. Nothing changed.`,
        );
        // The button the user saw was stale: bring the message up to date for everyone.
        const ref = ctx.ref ?? refOf(outcome.approval);
        if (ref && !isOpen(outcome.state)) {
          await updateApprovalMessage(ctx.client, log, ref, outcome.approval, line, "final");
        }
        return;
      }
      case "refused":
        deps.onOutcome?.("denied");
        await ctx.tell(
          `:lock: ${outcome.message} Nothing was recorded; the attempt is in the audit log.`,
        );
        return;
      case "superseded": {
        const line = supersededLine(outcome.erpStatus, outcome.detail);
        const ref = ctx.ref ?? refOf(outcome.approval);
        if (ref) await updateApprovalMessage(ctx.client, log, ref, outcome.approval, line, "final");
        await ctx.tell(line);
        await deps
          .refreshHome(ctx.client, ctx.user)
          .catch((err) => log.warn({ err }, "home refresh failed"));
        return;
      }
      case "not_found":
        await ctx.tell(
          "This approval no longer exists, so the button is stale. Nothing was recorded.",
        );
        return;
      case "recheck_failed":
        await ctx.tell(
          ":warning: I couldn't check the document in Infor just now, so nothing was recorded. Try again in a minute.",
        );
        return;
      case "reason_required":
        await ctx.tell("A rejection needs a reason.");
        return;
    }
  }
}

function refOf(a: { channel?: string; ts?: string }): MessageRef | undefined {
  return a.channel && a.ts ? { channel: a.channel, ts: a.ts } : undefined;
}

function clickContext(
  body: BlockAction,
  client: WebClient,
  viaResponseUrl: (text: string) => Promise<void>,
): ClickContext {
  const user = body.user.id;
  const message = body.message as { ts?: string; blocks?: SlackBlock[]; text?: string } | undefined;
  const channel = body.channel?.id;
  const ref: MessageRef | undefined =
    channel && message?.ts
      ? {
          channel,
          ts: message.ts,
          ...(message.blocks ? { blocks: message.blocks } : {}),
          ...(message.text ? { text: message.text } : {}),
        }
      : undefined;
  const hasResponseUrl = typeof (body as { response_url?: unknown }).response_url === "string";
  return {
    client,
    user,
    ...(ref ? { ref } : {}),
    tell: hasResponseUrl ? viaResponseUrl : (text) => tellPrivately(client, user, undefined, text),
  };
}

/** Ephemeral in the channel when we know it, otherwise a DM from the app. */
async function tellPrivately(
  client: WebClient,
  user: string,
  channel: string | undefined,
  text: string,
  log?: Logger,
): Promise<void> {
  try {
    if (channel) await client.chat.postEphemeral({ channel, user, text });
    else await client.chat.postMessage({ channel: user, text });
  } catch (err) {
    log?.warn({ err }, "private reply failed");
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
    .replace(/:[a-z_]+:\s*/g, "")
    .replace(/\*/g, "")
    .replace(/<@([A-Z0-9]+)>/g, "@$1");
}
