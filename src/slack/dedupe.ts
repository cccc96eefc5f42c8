import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { Logger } from "pino";
import type { RedisClient } from "../shared/redis-client.ts";
import type { SlackAppStats } from "./stats.ts";

// Slack retries an event up to 3 times over about an hour (X-Slack-Retry-Num); keep ids a day.
const EVENT_ID_TTL_SECONDS = 86_400;

/**
 * Global middleware: an Events API delivery whose `event_id` was seen before (a Slack retry, or
 * the same event reaching two replicas) stops here. Bolt has already acknowledged events before
 * middleware runs, so the retry gets its 200 and stops too.
 */
export function dedupeEvents(options: {
  redis: RedisClient;
  prefix: string;
  stats: SlackAppStats;
  logger: Logger;
}): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next, context }) => {
    const eventId =
      body && typeof body === "object" && "event_id" in body && typeof body.event_id === "string"
        ? body.event_id
        : undefined;
    if (eventId === undefined) return next();
    const first = await options.redis.set(
      `${options.prefix}dedupe:event:${eventId}`,
      "1",
      "EX",
      EVENT_ID_TTL_SECONDS,
      "NX",
    );
    if (first === null) {
      options.stats.duplicateEvents += 1;
      options.logger.info({ eventId, retryNum: context.retryNum }, "duplicate event dropped");
      return;
    }
    await next();
  };
}
