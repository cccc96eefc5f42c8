import type { WebClient } from "@slack/web-api";

/** Message metadata we attach: opaque ids only (metadata is visible to channel members). */
export const METADATA_EVENT = "cloudsuite_alert";

/** A thread reply also names the alert whose edit it explains (its own id stays the key). */
export function alertMetadata(alertId: string, parentAlertId?: string) {
  return {
    event_type: METADATA_EVENT,
    event_payload: parentAlertId
      ? { alert_id: alertId, parent_alert_id: parentAlertId }
      : { alert_id: alertId },
  };
}

/** Slack ts ("1733040000.000100") for an epoch-ms instant. */
export function toSlackTs(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${s}.000000`;
}

interface MessageLike {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

function matches(m: MessageLike, alertId: string): boolean {
  return (
    m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.alert_id === alertId
  );
}

export interface FindPostedInput {
  channel: string;
  alertId: string;
  /** epoch ms: only messages after this are scanned */
  since: number;
  /** the parent message when the post was a thread reply */
  threadTs?: string;
  maxPages?: number;
}

/**
 * After an ambiguous outcome (timeout or reset after sending), look for our alert id in the
 * channel's recent message metadata: `include_all_metadata` makes conversations.history and
 * conversations.replies return it (docs.slack.dev/reference/methods/conversations.history).
 * Returns the message ts when found.
 */
export async function findPosted(
  client: WebClient,
  input: FindPostedInput,
): Promise<string | undefined> {
  for await (const messages of pagesOf(client, input)) {
    // A thread's parent comes back with its replies: only a reply counts as the post we are
    // looking for (a reply has its own alert id, but an old parent may carry any).
    const hit = messages.find((m) => m.ts !== input.threadTs && matches(m, input.alertId));
    if (hit?.ts) return hit.ts;
  }
  return undefined;
}

/** The channel's (or thread's) messages since `input.since`, a page at a time, with metadata. */
async function* pagesOf(client: WebClient, input: FindPostedInput): AsyncGenerator<CopyLike[]> {
  const oldest = toSlackTs(input.since);
  let cursor: string | undefined;
  for (let page = 0; page < (input.maxPages ?? 5); page++) {
    const args = {
      channel: input.channel,
      oldest,
      include_all_metadata: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    };
    const res = input.threadTs
      ? await client.conversations.replies({ ...args, ts: input.threadTs })
      : await client.conversations.history(args);
    yield (res.messages ?? []) as CopyLike[];
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor || res.has_more === false) return;
  }
}

interface CopyLike extends MessageLike {
  reply_count?: number;
  reactions?: unknown[];
  edited?: unknown;
}

/** What people did with a message that makes deleting it take something from them. */
function touchedBy(m: CopyLike): string | undefined {
  if ((m.reply_count ?? 0) > 0) return "replies";
  if ((m.reactions?.length ?? 0) > 0) return "reactions";
  if (m.edited) return "edited";
  return undefined;
}

/**
 * Every message carrying the alert id since `since` (conversations.history, or .replies in a
 * thread, with `include_all_metadata`), each with what people did with it.
 */
export async function findCopies(
  client: WebClient,
  input: FindPostedInput,
): Promise<{ ref: string; touched?: string | undefined }[]> {
  const found: { ref: string; touched?: string | undefined }[] = [];
  for await (const messages of pagesOf(client, input)) {
    for (const m of messages) {
      if (m.ts && m.ts !== input.threadTs && matches(m, input.alertId))
        found.push({ ref: m.ts, touched: touchedBy(m) });
    }
  }
  return found;
}
