import type { App, BlockAction, ButtonAction, RespondFn } from "@slack/bolt";
import type { Logger } from "pino";
import { codeOf } from "../../shared/error-code.ts";
import type { RedisClient } from "../../shared/redis-client.ts";
import { type SlackAuditFn, safeAudit } from "../audit-events.ts";
import type { ReplayFn, StatusProvider } from "../lookup-service.ts";
import { answerView } from "../views/answer-view.ts";
import { capBlocks, LIMITS } from "../views/format.ts";
import { helpView } from "../views/help-view.ts";
import { statusView } from "../views/status-view.ts";
import { SUPPLIER_PICK_ACTION } from "../views/supplier-view.ts";
import type { SlackMessage } from "../views/types.ts";
import { answerFound, isLookup, type LookupCommand } from "./answer.ts";
import { type LookupOutcome, type LookupRunner, lookupFailureCode } from "./lookup-runner.ts";
import { type InforCommand, parseInforCommand } from "./parse.ts";
import { loadShare, SHARE_ACTION, shareBlock, sharedBy, storeShare } from "./share.ts";

export interface CommandDeps {
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  clock: () => number;
  lookup: LookupRunner;
  status?: StatusProvider;
  replay?: ReplayFn;
  /** Slack user ids allowed to run `replay`. */
  admins: readonly string[];
  audit?: SlackAuditFn;
  /** Slash command name as configured in the manifest. */
  commandName: string;
}

/** `/infor …`: parse, ack at once (help comes back in the ack itself), answer by response_url. */
export function registerInforCommand(app: App, deps: CommandDeps): void {
  const log = deps.logger.child({ component: "commands" });
  const audit = (e: Parameters<SlackAuditFn>[0]) =>
    safeAudit(deps.audit, e, (err) => log.error({ err }, "audit failed"));

  app.command(deps.commandName, async ({ command, ack, respond }) => {
    const parsed = parseInforCommand(command.text ?? "");
    const at = new Date(deps.clock()).toISOString();
    const base = { type: "command" as const, actor: command.user_id, at, command: command.text };
    if (!parsed.ok || parsed.command.kind === "help") {
      const view = parsed.ok
        ? helpView(parsed.command.kind === "help" ? parsed.command.topic : undefined)
        : helpView(parsed.topic, parsed.message);
      await ack({ response_type: "ephemeral", ...view });
      await audit({ ...base, outcome: "help", ...(parsed.ok ? {} : { code: parsed.code }) });
      return;
    }
    // Slack shows an error if the ack takes longer than 3 seconds: everything slow comes after.
    await ack();
    const c = parsed.command;
    try {
      const outcome = await answer(c, command.user_id);
      await respondWith(
        respond,
        outcome.message,
        `${deps.commandName} ${command.text}`,
        outcome.shareable,
      );
      await audit({
        ...base,
        outcome: outcome.auditOutcome,
        ...(outcome.code ? { code: outcome.code } : {}),
      });
    } catch (err) {
      log.error({ err, command: c.kind }, "command failed");
      await respond({ response_type: "ephemeral", ...failedView(lookupFailureCode(err)) }).catch(
        () => {},
      );
      await audit({ ...base, outcome: "failed", code: lookupFailureCode(err) });
    }
  });

  app.action<BlockAction<ButtonAction>>(
    SHARE_ACTION,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const shared = await loadShare(deps.redis, deps.prefix, action.value ?? "");
      const channel = body.channel?.id;
      if (!shared || !channel) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text: "This answer is too old to share. Run the command again.",
        });
        return;
      }
      try {
        await client.chat.postMessage({
          channel,
          text: shared.text,
          blocks: [
            ...capBlocks(shared.blocks, LIMITS.messageBlocks - 1),
            sharedBy(body.user.id, shared.command),
          ],
        });
        await respond({ delete_original: true });
      } catch (err) {
        const code = slackErrorCode(err);
        log.warn({ code }, "share failed");
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          text:
            code === "not_in_channel" || code === "channel_not_found"
              ? "I'm not a member of this channel, so I can't post here. Invite me with `/invite` first."
              : `Sharing failed (${code}). Try again in a moment.`,
        });
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(
    SUPPLIER_PICK_ACTION,
    async ({ ack, body, action, respond }) => {
      await ack();
      const c: LookupCommand = { kind: "supplier", query: action.value ?? "", byId: true };
      const outcome = await answer(c, body.user.id);
      await respondWith(
        respond,
        outcome.message,
        `${deps.commandName} supplier ${c.query}`,
        outcome.shareable,
        true,
      );
    },
  );

  async function answer(
    c: Exclude<InforCommand, { kind: "help" }>,
    userId: string,
  ): Promise<{
    message: SlackMessage;
    shareable: boolean;
    auditOutcome: "answered" | "rate_limited" | "refused" | "failed";
    code?: string;
  }> {
    if (c.kind === "status") {
      if (!deps.status)
        return {
          message: simple("Status is not available on this instance."),
          shareable: false,
          auditOutcome: "failed",
          code: "no_status_provider",
        };
      const detailed = deps.admins.includes(userId);
      return {
        message: statusView(await deps.status(), { detailed }),
        // Admin details stay with the admin; the summary may be shared.
        shareable: !detailed,
        auditOutcome: "answered",
      };
    }
    if (c.kind === "replay") {
      if (!deps.admins.includes(userId)) {
        return {
          message: simple(":lock: Only admins can replay alerts."),
          shareable: false,
          auditOutcome: "refused",
          code: "not_admin",
        };
      }
      if (!deps.replay)
        return {
          message: simple("Replay is not available on this instance."),
          shareable: false,
          auditOutcome: "failed",
          code: "no_replay",
        };
      const r = await deps.replay({ target: c.target, requestedBy: userId });
      return {
        message: simple(`${r.ok ? ":repeat:" : ":warning:"} ${r.message}`),
        shareable: false,
        auditOutcome: r.ok ? "answered" : "failed",
      };
    }
    if (!isLookup(c)) return { message: helpView(), shareable: false, auditOutcome: "answered" };
    const outcome: LookupOutcome = await deps.lookup(c, userId);
    switch (outcome.kind) {
      case "answer":
        return {
          message: answerView(outcome.answer),
          // "No purchase order 999 found" is nothing the channel needs to see.
          shareable: answerFound(outcome.answer),
          auditOutcome: "answered",
        };
      case "rate_limited":
        return {
          message: simple(
            `:hourglass: You've made a lot of lookups in the last minute. Try again in ${outcome.retryAfterSeconds} s (this keeps the shared Infor API budget for everyone).`,
          ),
          shareable: false,
          auditOutcome: "rate_limited",
        };
      case "failed":
        return {
          message: failedView(outcome.code),
          shareable: false,
          auditOutcome: "failed",
          code: outcome.code,
        };
    }
  }

  async function respondWith(
    respond: RespondFn,
    message: SlackMessage,
    commandText: string,
    shareable: boolean,
    replace = false,
  ): Promise<void> {
    // Leave room for the share button inside Slack's 50-block message limit.
    const blocks = capBlocks(message.blocks, LIMITS.messageBlocks - 1);
    if (shareable) {
      const token = await storeShare(deps.redis, deps.prefix, { ...message, command: commandText });
      blocks.push(shareBlock(token));
    }
    await respond({
      response_type: "ephemeral",
      replace_original: replace,
      text: message.text,
      blocks,
    });
  }
}

function simple(text: string): SlackMessage {
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}

function failedView(code: string): SlackMessage {
  return simple(
    `:warning: I couldn't get that from Infor right now (\`${code}\`). Try again in a minute; \`/infor status\` shows whether the connection is up.`,
  );
}

export function slackErrorCode(err: unknown): string {
  if (err && typeof err === "object" && "data" in err) {
    const data = (err as { data?: { error?: unknown } }).data;
    if (typeof data?.error === "string") return data.error;
  }
  return codeOf(err) ?? "unexpected_error";
}
