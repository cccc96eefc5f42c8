import { randomBytes } from "node:crypto";
import type { RedisClient } from "../../shared/redis-client.ts";
import { button, context } from "../views/format.ts";
import type { SlackBlock, SlackMessage } from "../views/types.ts";

export const SHARE_ACTION = "lookup.share";

// A response_url works for 30 minutes (Slack docs), so a share button older than that is moot.
const SHARE_TTL_SECONDS = 1800;

export interface SharedAnswer extends SlackMessage {
  command: string;
}

/** Keep the answer under an opaque token: a button value holds 2,000 characters at most. */
export async function storeShare(
  redis: RedisClient,
  prefix: string,
  answer: SharedAnswer,
): Promise<string> {
  const token = randomBytes(12).toString("base64url");
  await redis.set(`${prefix}share:${token}`, JSON.stringify(answer), "EX", SHARE_TTL_SECONDS);
  return token;
}

export async function loadShare(
  redis: RedisClient,
  prefix: string,
  token: string,
): Promise<SharedAnswer | undefined> {
  const raw = await redis.get(`${prefix}share:${token}`);
  return raw === null ? undefined : (JSON.parse(raw) as SharedAnswer);
}

export function shareBlock(token: string): SlackBlock {
  return {
    type: "actions",
    block_id: "lookup.share",
    elements: [button("Share in channel", SHARE_ACTION, token)],
  };
}

export function sharedBy(userId: string, command: string): SlackBlock {
  return context(`Shared by <@${userId}> · \`${command.replace(/`/g, "")}\``);
}
