import type { BlockAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { DecisionOutcome, HumanVerb } from "../../approvals/decide.ts";
import { type Approval, isOpen } from "../../approvals/types.ts";
import type { WriteBackOutcome } from "../../approvals/write-back.ts";
import { codeOf } from "../../shared/error-code.ts";
import { decisionLine, supersededLine } from "../views/approval-view.ts";
import { esc } from "../views/format.ts";
import {
  directThreadPoster,
  type MessageRef,
  type MessageRefresher,
  type ThreadPoster,
  updateApprovalMessage,
} from "./approval-messages.ts";

export interface OutcomeDeps {
  /** Re-publish one user's Home tab (after each decision). */
  refreshHome: (client: WebClient, userId: string) => Promise<void>;
  /** Decisions and refusals, for the approvals counter. */
  onOutcome?: (outcome: "approved" | "rejected" | "denied") => void;
  /** Thread replies through delivery (paced, exactly once); direct calls without it. */
  threadPoster?: ThreadPoster;
  /** Each stamp re-rendered through delivery's edit line too (retried, ordered); see there. */
  messageRefresher?: MessageRefresher;
}

export interface ClickContext {
  client: WebClient;
  user: string;
  /** The approval's message as our store knows it; undefined before delivery attached it. */
  ref?: MessageRef;
  /** Private answer to the clicker (response_url, ephemeral in channel, or DM). */
  tell: (text: string) => Promise<void>;
}

/** The decision's reply in the message's thread (through delivery when wired: paced, once). */
export async function postDecisionNotice(
  deps: OutcomeDeps,
  log: Logger,
  ctx: ClickContext,
  notice: Parameters<ThreadPoster>[0],
): Promise<void> {
  const post = deps.threadPoster ?? directThreadPoster(ctx.client, log);
  await post(notice).catch((err) => log.warn({ code: codeOf(err) }, "decision notice not queued"));
}

/** The clicker's Home tab shows their queue: re-published after their decision. */
export async function refreshHomeOf(deps: OutcomeDeps, log: Logger, ctx: ClickContext) {
  await deps
    .refreshHome(ctx.client, ctx.user)
    .catch((err) => log.warn({ err }, "home refresh failed"));
}

/** What the clicker and the channel see for each outcome of a decision. */
export async function renderOutcome(
  deps: OutcomeDeps,
  log: Logger,
  outcome: DecisionOutcome,
  verb: HumanVerb,
  ctx: ClickContext,
  /**
   * A whole-invoice decision (document-actions.ts) says it once for all its lines: one thread
   * notice and one Home refresh instead of one per line.
   */
  parts: { notice?: boolean; home?: boolean } = {},
): Promise<void> {
  switch (outcome.kind) {
    case "done": {
      const a = outcome.approval;
      if (a.state === "approved" || a.state === "rejected") deps.onOutcome?.(a.state);
      const line = decisionLine({
        state: a.state,
        by: ctx.user,
        ...(outcome.onBehalfOf ? { onBehalfOf: outcome.onBehalfOf } : {}),
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
          erpStillNeeded(a, outcome.writeBack),
          { refresh: deps.messageRefresher, clicker: ctx.user },
        );
        // Notifications show only this text: say what was decided, not just by whom.
        if (parts.notice !== false) {
          await postDecisionNotice(deps, log, ctx, {
            approval: a,
            ref,
            text: `${line} · ${esc(a.title)}`,
            key: `decision:${a.state}:${a.decidedAt ?? a.escalatedAt ?? ""}:${a.decidedBy ?? ctx.user}`,
          });
        }
      } else {
        await ctx.tell(line);
      }
      if (outcome.note) await ctx.tell(`:information_source: ${outcome.note}`);
      if (outcome.writeBack.status === "failed") {
        await ctx.tell(
          `:warning: Recorded here, but writing it back to the ERP failed (\`${outcome.writeBack.code}\`). An admin has been told through the audit log.`,
        );
      }
      if (parts.home !== false) await refreshHomeOf(deps, log, ctx);
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
        await updateApprovalMessage(ctx.client, log, ref, outcome.approval, line, "final", [], {
          refresh: deps.messageRefresher,
          clicker: ctx.user,
        });
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
      if (ref) {
        await updateApprovalMessage(ctx.client, log, ref, outcome.approval, line, "final", [], {
          refresh: deps.messageRefresher,
          clicker: ctx.user,
        });
      }
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
        `:warning: I couldn't check the document in Infor just now (${outcome.reason}), so nothing was recorded. Try again in a minute.`,
      );
      return;
    case "reason_required":
      await ctx.tell("A rejection needs a reason.");
      return;
  }
}

export function refOf(a: { channel?: string; ts?: string }): MessageRef | undefined {
  return a.channel && a.ts ? { channel: a.channel, ts: a.ts } : undefined;
}

/**
 * Who clicked and how to answer them privately. Where the approval's message is comes from the
 * store once the click is bound to it (approval-binding.ts), not from here.
 */
export function clickContext(
  body: BlockAction,
  client: WebClient,
  viaResponseUrl: (text: string) => Promise<void>,
): ClickContext {
  const user = body.user.id;
  const hasResponseUrl = typeof (body as { response_url?: unknown }).response_url === "string";
  return {
    client,
    user,
    tell: hasResponseUrl ? viaResponseUrl : (text) => tellPrivately(client, user, undefined, text),
  };
}

/** Ephemeral in the channel when we know it, otherwise a DM from the app. */
export async function tellPrivately(
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

/**
 * With write-back off or in shadow, M3 never sees a Slack decision on an invoice: the message
 * says that AP still has to decide it in M3 (one context line).
 */
export function erpStillNeeded(a: Approval, wb: WriteBackOutcome): string[] {
  if (wb.status !== "disabled" || !wb.erpMode || a.kind !== "invoice") return [];
  if (a.state !== "approved" && a.state !== "rejected") return [];
  const verb = a.state === "approved" ? "approve" : "reject";
  return [
    `:information_source: Recorded in Slack only (ERP write-back ${wb.erpMode}): AP must still ${verb} this invoice in M3.`,
  ];
}
