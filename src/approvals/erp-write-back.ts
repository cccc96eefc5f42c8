import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { codeOf } from "../shared/error-code.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import type {
  ErpAdapter,
  ErpCall,
  ErpDecision,
  ErpMode,
  ErpRoute,
  ErpState,
  ErpWriteOutcome,
} from "./erp-types.ts";

/**
 * Writes one Slack decision to the ERP exactly once. M3 MI writes carry no request id and are not
 * idempotent, so the only safe order is: store an intent in Redis, call once, and after any
 * outcome that may or may not have reached M3 (timeout, reset, 5xx) read M3 before calling again.
 * A worker that dies mid-call leaves the intent behind; whoever comes next reads M3 first.
 */
export interface ErpWriter {
  write(d: ErpDecision): Promise<ErpWriteOutcome>;
  /** The intent left by an earlier attempt (verb, actor, reason), for the reconciler. */
  intent(approvalId: string): Promise<ErpIntent | undefined>;
  mode(tenant: string): ErpMode;
}

export interface ErpIntent {
  verb: ErpDecision["verb"];
  actor: string;
  reason: string;
  line: string;
  route: string;
  status: "calling" | "ambiguous" | "written";
  attempts: number;
}

export interface ErpWriterOptions {
  redis: RedisClient;
  prefix: string;
  modeFor: (tenant: string) => ErpMode;
  adapterFor: (tenant: string) => ErpAdapter | undefined;
  logger: Logger;
  /** Calls after an ambiguous outcome, each preceded by a read of M3 (default 2 in all). */
  maxAttempts?: number;
  /** How long one writer may hold a decision before another may take over (default 60 s). */
  lockMs?: number;
  /** Seconds an intent is kept (default 30 days: longer than any approval stays open). */
  intentTtlSeconds?: number;
}

export function createErpWriter(o: ErpWriterOptions): ErpWriter {
  const maxAttempts = o.maxAttempts ?? 2;
  const lockMs = o.lockMs ?? 60_000;
  const ttl = o.intentTtlSeconds ?? 30 * 86_400;
  const intentKey = (id: string) => `${o.prefix}erp-intent:${id}`;
  const lockKey = (id: string) => `${o.prefix}erp-lock:${id}`;
  const log = o.logger.child({ component: "erp-write-back" });

  async function readIntent(id: string): Promise<ErpIntent | undefined> {
    const h = await o.redis.hgetall(intentKey(id));
    if (!h.verb) return undefined;
    return {
      verb: h.verb as ErpIntent["verb"],
      actor: h.actor ?? "",
      reason: h.reason ?? "",
      line: h.line ?? "",
      route: h.route ?? "",
      status: (h.status ?? "calling") as ErpIntent["status"],
      attempts: Number(h.attempts ?? "0"),
    };
  }

  async function setStatus(id: string, status: ErpIntent["status"], attempts?: number) {
    await o.redis.hset(intentKey(id), {
      status,
      ...(attempts !== undefined ? { attempts: String(attempts) } : {}),
    });
  }

  /** What M3's current state means for this decision. */
  function judge(d: ErpDecision, state: ErpState): "ours" | "pending" | "other" {
    if (state.status === "pending") return "pending";
    const want = d.verb === "reject" ? "rejected" : "approved";
    return state.status === want ? "ours" : "other";
  }

  async function release(id: string, token: string) {
    // Only the holder releases; a lock that expired and was taken over stays with its new holder.
    const held = await o.redis.get(lockKey(id));
    if (held === token) await o.redis.del(lockKey(id));
  }

  async function attempt(
    d: ErpDecision,
    route: ErpRoute,
    call: ErpCall,
    id: string,
    prior: ErpIntent | undefined,
  ): Promise<ErpWriteOutcome> {
    let attempts = prior?.attempts ?? 0;
    // Always read before the first call (routes answer it from the read that chose them, so it
    // costs nothing): M3 accepts a second RejectInvoice on a rejected batch, so a decision taken
    // in M3 meanwhile must stop us before the call, not after. An earlier attempt of ours may
    // also have reached M3.
    let mustRead = true;
    // M3's "approved" is ours only if one of our calls may have reached it (a lost answer, a
    // killed worker); after a clean refusal it is someone else's decision taken in M3.
    let mayBeOurs = prior !== undefined && prior.status !== "written";
    // Calls made by this invocation: bounds the loop even when M3 cannot be read and keeps
    // answering "already decided" to an intent whose stored attempts were already spent.
    let calls = 0;
    for (;;) {
      let state: ErpState | undefined;
      if (mustRead) {
        try {
          state = await route.state(d);
        } catch (err) {
          // Nothing of ours can have reached M3 yet: an unreadable state (APS110MI has no read)
          // does not stop the first call; after a call it means "unknown".
          if (mayBeOurs || calls > 0) {
            log.warn({ approvalId: id, code: codeOf(err) }, "ERP state unreadable");
            return { status: "unknown", reason: "M3 could not be read to confirm the decision" };
          }
        }
      }
      if (state) {
        const verdict = judge(d, state);
        if (verdict === "ours" && mayBeOurs) {
          await setStatus(id, "written", attempts);
          return { status: "written", route: route.name, call };
        }
        if (state.status !== "pending") {
          await o.redis.del(intentKey(id));
          return {
            status: "decided_in_erp",
            state: state.status,
            ...(state.by ? { by: state.by } : {}),
            ...(state.detail ? { detail: state.detail } : {}),
          };
        }
        if (attempts >= maxAttempts) {
          return { status: "unknown", reason: "M3 did not confirm the decision" };
        }
      }
      if (calls >= maxAttempts) {
        return { status: "unknown", reason: "M3 did not confirm the decision" };
      }
      calls++;
      attempts++;
      await setStatus(id, "calling", attempts);
      try {
        await route.apply(d);
        await setStatus(id, "written", attempts);
        log.info({ approvalId: id, route: route.name, attempts }, "decision written to the ERP");
        return { status: "written", route: route.name, call };
      } catch (err) {
        const refusal = route.refusal(err);
        if (refusal) {
          if (refusal.code === "already_decided") {
            // M3 says someone decided first: read who and what instead of guessing.
            mustRead = true;
            attempts = maxAttempts;
            continue;
          }
          // Nothing changed in M3: drop the intent so a later click can try again.
          await o.redis.del(intentKey(id));
          return { status: "refused", code: refusal.code, message: refusal.message };
        }
        if (!route.ambiguous(err)) throw err;
        log.warn(
          { approvalId: id, route: route.name, attempts, code: codeOf(err) },
          "ERP write outcome unknown; reading M3 before any retry",
        );
        await setStatus(id, "ambiguous", attempts);
        mustRead = true;
        mayBeOurs = true;
      }
    }
  }

  return {
    mode: o.modeFor,
    intent: readIntent,
    async write(d) {
      const mode = o.modeFor(d.approval.tenant);
      if (mode === "off") return { status: "off" };
      const adapter = o.adapterFor(d.approval.tenant);
      if (!adapter) return { status: "no_route", reason: "no ERP adapter for this tenant" };
      const found = await adapter.routeFor(d.approval);
      if (!found.ok) {
        if ("unreadable" in found) return { status: "unknown", reason: found.reason };
        return { status: "no_route", reason: found.reason };
      }
      const route = found.route;
      const unsupported = route.unsupported(d.verb);
      if (unsupported) return { status: "no_route", reason: unsupported };
      const call = route.describe(d);
      if (mode === "shadow") {
        log.info(
          { approvalId: d.approval.id, tenant: d.approval.tenant, call },
          "shadow: ERP call not sent",
        );
        return { status: "shadow", call };
      }
      const id = d.approval.id;
      const token = randomUUID();
      const locked = await o.redis.set(lockKey(id), token, "PX", lockMs, "NX");
      if (locked !== "OK") return { status: "in_progress" };
      try {
        const prior = await readIntent(id);
        if (prior?.status === "written" && prior.verb === d.verb) {
          return { status: "written", route: prior.route, call };
        }
        if (!prior) {
          // Stored before the call: a worker killed mid-call leaves this for the next one to read.
          await o.redis
            .multi()
            .hset(intentKey(id), {
              verb: d.verb,
              actor: d.actor,
              reason: d.reason ?? "",
              line: d.line !== undefined ? String(d.line) : "",
              route: route.name,
              status: "calling",
              attempts: "0",
            })
            .expire(intentKey(id), ttl)
            .exec();
        }
        return await attempt(d, route, call, id, prior);
      } finally {
        await release(id, token);
      }
    },
  };
}
