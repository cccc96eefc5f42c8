import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { Approval } from "../../approvals/types.ts";
import { codeOf } from "../../shared/error-code.ts";
import { carriesDocumentLine, DOC_ACTIONS_BLOCK, stampDocumentLine } from "../blocks/document.ts";
import { slackErrorCode } from "../commands/register.ts";
import { alertMetadata } from "../destination/find-posted.ts";
import {
  approvalSummaryBlocks,
  stampDecision,
  stampHold,
  withInfoButton,
} from "../views/approval-view.ts";
import type { SlackBlock } from "../views/types.ts";

/** Where an approval's alert message is: always from our store, never from a click's payload. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/**
 * Re-renders a message of an approval through delivery's edit line (the guarantee under the
 * immediate rewrite): retried, paced with the channel's other edits and after every edit queued
 * before it, from the record's latest version and the approval as it stands when it runs.
 * `stamp` is the text just stamped (kept while the approval stays in its state). Wired to
 * delivery (app/message-refresh.ts); without it the immediate rewrite is all there is.
 */
export interface MessageRefresher {
  (input: {
    approval: Approval;
    ref: MessageRef;
    key: string;
    stamp: string[];
    /**
     * The immediate write succeeded with `renderNow`'s render (its `showing`): while that
     * still holds (the latest version, the approvals as rendered), no refresh is sent.
     */
    showing?: string;
  }): Promise<boolean>;
  /**
   * The message as the refresh would render it now (the version delivered last, the approval
   * as it stands, the stamp): the immediate rewrite then needs no history read of Slack's copy
   * (Tier 3, and far less for apps outside the Marketplace). Undefined for a message delivery
   * did not make.
   */
  renderNow?: (input: {
    approval: Approval;
    ref: MessageRef;
    stamp: string[];
  }) => Promise<RenderedMessage | undefined>;
}

/** A message rendered by delivery: Block Kit, the alert whose version it shows, and for the refresh what it showed. */
export interface RenderedMessage {
  text: string;
  blocks: SlackBlock[];
  alertId: string;
  showing: string;
}

/** How a stamp goes beyond the immediate rewrite, and whose click it answers (if any). */
export interface RewriteVia {
  refresh?: MessageRefresher | undefined;
  /** Slack user who clicked: their own card is rewritten at once too. */
  clicker?: string | undefined;
  /**
   * Nobody is waiting to see the stamp (a decision taken in M3, an escalation, an expiry): a
   * message delivery made and cannot render now is left to the refresh alone (no history read
   * and direct chat.update before it); one it renders is written at once as for a click.
   */
  deferred?: boolean | undefined;
}

/**
 * Rewrites the alert message and every approver's card of it in a direct message (so a card
 * never offers buttons for something decided elsewhere): final decisions drop the buttons and
 * stamp who/when/why; hold and escalation keep the buttons and add a line. The blocks are
 * Slack's copy of our own message (or a summary of the stored approval), never blocks a click
 * payload carried: those are whatever the sender put there. Failures are logged, never thrown:
 * the decision is already recorded and the thread reply still tells the channel.
 *
 * The rewrite is immediate (the clicker sees it at once) but neither retried nor ordered with
 * delivery's edits of the same message: with `refresh`, each message is then also re-rendered
 * through delivery, queued only after its rewrite returned, so whatever the rewrite or a racing
 * edit left, the last write of the message is delivery's render of the latest content with the
 * approval's current state (see src/slack/README.md, "Decision stamps").
 */
export async function updateApprovalMessage(
  client: WebClient,
  logger: Logger,
  ref: MessageRef,
  approval: Approval,
  line: string,
  mode: "final" | "keep_buttons",
  /** More context lines under the stamp (final mode), e.g. that M3 still needs the decision. */
  extra: string[] = [],
  via: RewriteVia = {},
): Promise<void> {
  const { refresh, clicker } = via;
  const cards = (approval.directCards ?? []).flatMap((c) =>
    c.ts && !(c.channel === ref.channel && c.ts === ref.ts)
      ? [{ channel: c.channel, ts: c.ts, user: c.user }]
      : [],
  );
  const stamp = mode === "final" ? [line, ...extra] : [line];
  const wrote = new Map<MessageRef, Rewritten>();
  // Each message delivery made is written at once as delivery renders it now (its version
  // delivered last, the approval, the stamp): one chat.update, no read of Slack's copy, and
  // no refresh after it while that version is still the latest.
  for (const at of [ref, ...cards]) {
    const now = await refresh?.renderNow?.({ approval, ref: at, stamp }).catch((err: unknown) => {
      logger.warn({ code: codeOf(err), approvalId: approval.id }, "render for the stamp failed");
      return undefined;
    });
    if (now) wrote.set(at, await writeRendered(client, logger, at, approval, now));
  }
  // The others from Slack's copy, read and stamped. A decided card needs only what and who:
  // rebuilt from the approval, one call per card instead of a history read (Tier 3, paced with
  // every other read) before each update; a hold or an escalation keeps the card's buttons, so
  // Slack's copy is read. With a refresh behind it, only the clicker's own card is rewritten at
  // once: another approver's card would take two calls of chat.update's tier (the rewrite, then
  // the refresh) for what the refresh alone does. Where nobody clicked (`deferred`), the refresh
  // alone does it, and the rewrite only when the refresh declines.
  const direct = (at: MessageRef & { user?: string }) =>
    !refresh || (!via.deferred && (at === ref || at.user === clicker));
  for (const at of [ref, ...cards]) {
    if (wrote.has(at) || !direct(at)) continue;
    const read = at === ref || mode !== "final";
    wrote.set(at, await rewriteMessage(client, logger, at, approval, line, mode, extra, read));
  }
  if (!refresh) return;
  const key = refreshKey(approval);
  for (const at of [ref, ...cards]) {
    // A write that showed the latest version needs no second chat.update (delivery's own sends
    // re-check the approval after they land, for the edits that raced it).
    const showing = wrote.get(at)?.showing;
    const queued = await refresh({
      approval,
      ref: at,
      key,
      stamp,
      ...(showing ? { showing } : {}),
    }).catch((err: unknown) => {
      logger.warn({ code: codeOf(err), approvalId: approval.id }, "message refresh not queued");
      return false;
    });
    // Nothing stamped it yet (no write, or a write that failed) and delivery will not.
    if (!queued && !wrote.get(at)?.ok) {
      const read = at === ref || mode !== "final";
      await rewriteMessage(client, logger, at, approval, line, mode, extra, read);
    }
  }
}

/** What a write did: whether Slack took it, and renderNow's token when a render was written. */
interface Rewritten {
  ok: boolean;
  showing?: string | undefined;
}

/**
 * One refresh per change of the approval: which one (a document's lines share a message), its
 * state and when it entered it.
 */
function refreshKey(a: Approval): string {
  const when = [a.decidedAt, a.escalatedAt, a.info?.at].map((t) => t ?? "");
  return [a.id, a.state, ...when, a.decidedBy ?? ""].join("|");
}

async function writeRendered(
  client: WebClient,
  logger: Logger,
  ref: MessageRef,
  approval: Approval,
  rendered: RenderedMessage,
): Promise<Rewritten> {
  try {
    await client.chat.update({
      channel: ref.channel,
      ts: ref.ts,
      text: rendered.text,
      blocks: rendered.blocks,
      metadata: alertMetadata(rendered.alertId),
    });
    return { ok: true, showing: rendered.showing };
  } catch (err) {
    logger.warn({ code: slackErrorCode(err), approvalId: approval.id }, "chat.update failed");
    return { ok: false };
  }
}

async function rewriteMessage(
  client: WebClient,
  logger: Logger,
  ref: MessageRef,
  approval: Approval,
  line: string,
  mode: "final" | "keep_buttons",
  extra: string[],
  read: boolean,
): Promise<Rewritten> {
  try {
    const copy = read ? await readMessage(client, ref) : undefined;
    const original = copy?.blocks ?? approvalSummaryBlocks(approval);
    // An invoice's message with several exception lines: only this approval's line changes.
    const blocks = carriesDocumentLine(original, approval.id)
      ? stampLine(original, approval, [line, ...extra].join(" · "), mode)
      : mode === "final"
        ? stampDecision(original, [line, ...extra], approval.state)
        : withInfoButton(
            stampHold(original, line, approval.state),
            approval.state === "info_requested",
          );
    await client.chat.update({
      channel: ref.channel,
      ts: ref.ts,
      text: `${approval.title} · ${stripMrkdwn(line)}`,
      blocks,
    });
    // Slack's copy stamped with this approval only: another approval on the same message may
    // have been written meanwhile and lost; the refresh renders them all.
    return { ok: true };
  } catch (err) {
    logger.warn({ code: slackErrorCode(err), approvalId: approval.id }, "chat.update failed");
    return { ok: false };
  }
}

function stampLine(
  blocks: SlackBlock[],
  approval: Approval,
  line: string,
  mode: "final" | "keep_buttons",
): SlackBlock[] {
  const stamped = stampDocumentLine(blocks, approval.id, line, mode === "final");
  if (mode === "final") return stamped;
  // Ask… turns into Answer… on this line's buttons only.
  return stamped.map((b) =>
    b.block_id === `${DOC_ACTIONS_BLOCK}${approval.id}`
      ? (withInfoButton([b], approval.state === "info_requested")[0] ?? b)
      : b,
  );
}

/**
 * A reply in the thread of an approval's message. `key` names the notice (a decision, a comment,
 * a reminder): the same key is posted once however often it is sent. Wired to delivery's queue
 * (paced with the channel, exactly once, 429s waited out); without it, a direct Web API call.
 */
export type ThreadPoster = (input: {
  approval: Approval;
  ref: MessageRef;
  text: string;
  key: string;
}) => Promise<void>;

/** Direct `chat.postMessage`: no pacing and no retry past the client's own; logged on failure. */
export function directThreadPoster(client: WebClient, logger: Logger): ThreadPoster {
  return ({ ref, text }) => threadReply(client, logger, ref, text);
}

export async function threadReply(
  client: WebClient,
  logger: Logger,
  ref: MessageRef,
  text: string,
): Promise<void> {
  try {
    await client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text });
  } catch (err) {
    logger.warn({ code: slackErrorCode(err) }, "thread reply failed");
  }
}

/**
 * Whether Slack's own copy of a message carries a button of this approval (never the copy a
 * payload brought). For a click that arrives after delivery posted the message but before it
 * attached the approval to it.
 */
export async function messageCarriesApproval(
  client: WebClient,
  ref: MessageRef,
  approvalId: string,
): Promise<boolean> {
  const copy = await readMessage(client, ref).catch(() => undefined);
  return JSON.stringify(copy?.blocks ?? []).includes(`"value":${JSON.stringify(approvalId)}`);
}

/** Slack's copy of a message's blocks. */
async function readMessage(
  client: WebClient,
  ref: MessageRef,
): Promise<{ blocks: SlackBlock[] } | undefined> {
  const res = await client.conversations.history({
    channel: ref.channel,
    latest: ref.ts,
    inclusive: true,
    limit: 1,
  });
  const msg = res.messages?.[0];
  if (!msg || msg.ts !== ref.ts || !Array.isArray(msg.blocks)) return undefined;
  return { blocks: msg.blocks as SlackBlock[] };
}

/** Notification text: no emoji codes or bold marks; date tokens reduced to their UTC fallback. */
function stripMrkdwn(line: string): string {
  return line
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/:[a-z_]+:\s*/g, "")
    .replace(/\*/g, "");
}
