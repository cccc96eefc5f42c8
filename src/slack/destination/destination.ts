import type { WebClient } from "@slack/web-api";
import type { Destination } from "../../delivery/destination.ts";
import { alertMessage, threadReplyMessage } from "../blocks/alert.ts";
import { withDecision } from "../blocks/decision.ts";
import type { LinkTemplates } from "../blocks/format.ts";
import type { SlackMessage } from "../blocks/types.ts";
import { type ChatWrites, webClientWrites } from "./chat-writes.ts";
import { digestItem } from "./digest-item.ts";
import { classify, editGone } from "./errors.ts";
import { alertMetadata, findCopies, findPosted } from "./find-posted.ts";

/**
 * Slack as a delivery destination: Block Kit from `blocks/`, chat.postMessage / chat.update with
 * the alert id in message metadata (chat-writes.ts), and conversations.history / replies on the
 * WebClient to find a post whose outcome was lost. Targets are channel ids; pacing is the
 * delivery config's (Slack's limits).
 */
export function slackDestination(o: {
  client: WebClient;
  /** posts and edits, the calls every alert makes (the client's own by default) */
  writes?: ChatWrites;
  links?: LinkTemplates | undefined;
}): Destination<SlackMessage> {
  const { client, links } = o;
  const writes = o.writes ?? webClientWrites(client);
  return {
    name: "slack",
    // Every target no other destination claims is a Slack channel id.
    owns: () => true,
    edits: true,
    decisions: true,
    digests: true,
    methods: {
      update: "chat.update",
      lookup: (threadRef) => (threadRef ? "conversations.replies" : "conversations.history"),
      remove: "chat.delete",
    },
    render(alert, { at, decision }) {
      if (alert.reply) return threadReplyMessage(alert, at);
      return withDecision(
        alertMessage(alert, { at, ...(links ? { links } : {}) }),
        alert,
        decision,
      );
    },
    async post({ target, alert, message, threadRef }) {
      const res = await writes.postMessage({
        channel: target,
        text: message.text,
        blocks: message.blocks,
        metadata: alertMetadata(alert.id, alert.reply?.parentAlertId),
        ...(threadRef ? { thread_ts: threadRef } : {}),
      });
      return String(res.ts);
    },
    async update({ target, ref, alert, message }) {
      await writes.update({
        channel: target,
        ts: ref,
        text: message.text,
        blocks: message.blocks,
        metadata: alertMetadata(alert.id, alert.reply?.parentAlertId),
      });
    },
    find: ({ target, alertId, since, threadRef }) =>
      findPosted(client, {
        channel: target,
        alertId,
        since,
        ...(threadRef ? { threadTs: threadRef } : {}),
      }),
    copies: ({ target, alertId, since, threadRef }) =>
      findCopies(client, {
        channel: target,
        alertId,
        since,
        ...(threadRef ? { threadTs: threadRef } : {}),
      }),
    // A bot token deletes the app's own messages (docs.slack.dev/reference/methods/chat.delete).
    async remove({ target, ref }) {
      await client.chat.delete({ channel: target, ts: ref });
    },
    classify,
    editGone,
    digestItem: (alert) => digestItem(alert, links),
  };
}
