import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { pino } from "pino";
import { codeOf } from "../../shared/error-code.ts";
import { type BodAuthConfig, hasCredentials, verifyBodAuth } from "../bod/auth.ts";
import { readBoundedBody } from "../bod/body.ts";
import type { Metrics } from "../metrics.ts";
import { asyncHandler, type HttpRoute, sendJson } from "../routes.ts";
import {
  eventsOf,
  MAX_EVENTS_PER_REQUEST,
  type PushTarget,
  readM3Event,
  targetsOfM3Event,
} from "./m3-event.ts";

/**
 * `POST /m3/events`: M3 database events (Event Subscriber web service, CMS049) and the same
 * events forwarded by ION as JSON documents. Each event names one record; `ingest` queues a
 * read of THAT record through the poll's change detection (src/sync/targeted.ts). Events are
 * fire-and-forget on M3's side, so polling stays the safety net for any that never arrive.
 *
 *   401  no or wrong credentials (body not parsed)     413  body over `maxBodyBytes`
 *   408  body not received within `bodyTimeoutMs`     400  not JSON / not events / too many
 *   202  accepted: `targets` queued; unknown tables and head deletes counted in `ignored`
 *   503  the queue could not take the reads now (the sender may retry; the poll catches up)
 *
 * Nothing touches Redis before the credentials are verified over the raw bytes.
 */
export const PUSH_SIGNATURE_HEADER = "x-push-signature";

export interface PushHandlerOptions {
  auth: BodAuthConfig;
  ingest: (targets: PushTarget[]) => Promise<void>;
  /** Default 1 MiB: an M3 event is one record (a few kB); a batch of 500 fits. */
  maxBodyBytes?: number;
  /** Time allowed to receive the whole body (default 10 s): slow senders must not hold sockets. */
  bodyTimeoutMs?: number;
  metrics?: Pick<Metrics, "pushRequests" | "pushEvents">;
  logger?: Logger;
  path?: string;
}

export const DEFAULT_MAX_PUSH_BYTES = 1024 * 1024;

export function createPushHandler(options: PushHandlerOptions) {
  const logger = options.logger ?? pino({ level: "silent" });
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_PUSH_BYTES;
  const timeoutMs = options.bodyTimeoutMs ?? 10_000;
  if (!options.auth.hmacSecrets?.length && !options.auth.bearerTokens?.length) {
    logger.warn("M3 push endpoint has no secret or token configured: every request will get 401");
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reply = (status: number, outcome: string, body: Record<string, unknown>) => {
      options.metrics?.pushRequests.inc({ outcome });
      if (status >= 400 && status !== 503) res.setHeader("connection", "close");
      sendJson(res, status, body);
    };
    if (!hasCredentials(req.headers, PUSH_SIGNATURE_HEADER)) {
      req.resume();
      reply(401, "unauthenticated", { status: "error", error: "unauthenticated" });
      return;
    }
    let body: Buffer;
    let timer: NodeJS.Timeout | undefined;
    try {
      body = await Promise.race([
        readBoundedBody(req, maxBytes),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(Object.assign(new Error("slow"), { code: "slow" })),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      const code = codeOf(err);
      if (code === "bod_body_too_large") {
        reply(413, "too_large", { status: "error", error: "body_too_large", maxBytes });
        return;
      }
      if (code === "slow") {
        req.removeAllListeners("data");
        req.resume();
        reply(408, "timeout", { status: "error", error: "body_timeout" });
        return;
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (!verifyBodAuth(req.headers, body, options.auth, PUSH_SIGNATURE_HEADER).ok) {
      logger.warn("M3 push refused: bad signature or token");
      reply(401, "unauthenticated", { status: "error", error: "unauthenticated" });
      return;
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      reply(400, "malformed", { status: "error", error: "malformed_json" });
      return;
    }
    const events = eventsOf(parsed);
    if (!events) {
      reply(400, "malformed", { status: "error", error: "not_events" });
      return;
    }
    if (events.length > MAX_EVENTS_PER_REQUEST) {
      reply(400, "malformed", {
        status: "error",
        error: "too_many_events",
        max: MAX_EVENTS_PER_REQUEST,
      });
      return;
    }

    const targets = new Map<string, PushTarget>();
    const ignored: Record<string, number> = {};
    const invalid: { index: number; reason: string }[] = [];
    const count = (outcome: string) => {
      ignored[outcome] = (ignored[outcome] ?? 0) + 1;
      options.metrics?.pushEvents.inc({ outcome });
    };
    events.forEach((raw, index) => {
      const read = readM3Event(raw, index);
      if (!read.ok) {
        invalid.push({ index, reason: read.reason });
        options.metrics?.pushEvents.inc({ outcome: "invalid" });
        return;
      }
      const mapped = targetsOfM3Event(read.event);
      if (mapped.kind === "ignored") {
        count(mapped.reason);
        return;
      }
      if (mapped.kind === "invalid") {
        invalid.push({ index, reason: mapped.reason });
        options.metrics?.pushEvents.inc({ outcome: "invalid" });
        return;
      }
      options.metrics?.pushEvents.inc({ outcome: "read" });
      // A header and its lines in one request are one read.
      for (const t of mapped.targets)
        targets.set(JSON.stringify([t.company, t.division, t.target]), t);
    });

    if (targets.size > 0) {
      try {
        await options.ingest([...targets.values()]);
      } catch (err) {
        logger.error({ code: codeOf(err) }, "M3 push reads could not be queued");
        reply(503, "error", { status: "error", error: "ingest_unavailable" });
        return;
      }
    }
    if (invalid.length > 0) {
      logger.warn({ invalid: invalid.slice(0, 10) }, "M3 push: events without their keys");
    }
    reply(202, targets.size > 0 ? "accepted" : "ignored", {
      status: targets.size > 0 ? "accepted" : "ignored",
      events: events.length,
      targets: targets.size,
      ignored,
      invalid,
    });
  };
}

export function pushRoute(options: PushHandlerOptions): HttpRoute {
  const handler = createPushHandler(options);
  const logger = options.logger ?? pino({ level: "silent" });
  return {
    path: options.path ?? "/m3/events",
    method: "POST",
    handler: asyncHandler(async (req, res) => {
      try {
        await handler(req, res);
      } catch (err) {
        options.metrics?.pushRequests.inc({ outcome: "error" });
        throw err;
      }
    }, logger),
  };
}
