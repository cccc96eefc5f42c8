import type { WebClient } from "@slack/web-api";
import type { RedisClient } from "../../shared/redis-client.ts";
import { slackErrorCode } from "../commands/register.ts";

/** Answers of conversations.open that mean "do not DM this person", not "try again". */
const NOT_REACHABLE = new Set([
  "user_not_found",
  "user_disabled",
  "user_not_visible",
  "cannot_dm_bot",
]);

/**
 * The app's direct message with a user: its conversation id (`D…`), from Redis or else
 * `conversations.open` (im:write), cached for every replica.
 *
 * Why not post to the user id, which chat.postMessage accepts with chat:write alone? Delivery
 * needs the conversation id before the first post succeeds: chat.update refuses a user id ("For
 * direct messages, ensure that this value is a DM ID (starts with D) instead of a User ID",
 * docs.slack.dev/reference/methods/chat.update), and a post whose answer was lost is looked for
 * in conversations.history (im:history), which takes a conversation id only. Undefined: the
 * person cannot be messaged (deleted, deactivated, a bot).
 */
export function imChannels(o: {
  client: Pick<WebClient, "conversations">;
  redis: RedisClient;
  prefix: string;
  /** How long a user's conversation id is kept; a DM's id does not change. Default 30 days. */
  ttlSeconds?: number;
}): (user: string) => Promise<string | undefined> {
  const ttl = o.ttlSeconds ?? 30 * 86_400;
  return async (user) => {
    if (!/^[UW][A-Z0-9]+$/.test(user)) return undefined;
    const key = `${o.prefix}im:${user}`;
    const cached = await o.redis.get(key);
    if (cached !== null) return cached;
    let id: string | undefined;
    try {
      const res = await o.client.conversations.open({ users: user });
      id = typeof res.channel?.id === "string" ? res.channel.id : undefined;
    } catch (err) {
      if (NOT_REACHABLE.has(slackErrorCode(err))) return undefined;
      throw err;
    }
    if (!id) return undefined;
    await o.redis.set(key, id, "EX", ttl);
    return id;
  };
}
