import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrivateRedis, startPrivateRedis } from "../../sandbox/support/redis-server.ts";
import { ionTokenCheck, redisCheck, slackAuthCheck } from "../../src/ops/checks.ts";
import { createEventLoopMonitor } from "../../src/ops/event-loop.ts";
import { createHealth } from "../../src/ops/health.ts";
import { ProgressTracker } from "../../src/ops/progress.ts";
import { createRedisProbe } from "../../src/ops/redis-probe.ts";
import { type OpsServer, startOpsServer } from "../../src/ops/routes.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { httpRequest } from "./helpers.ts";

async function until(fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("condition not met in time");
}

describe("/healthz and /readyz against a Redis that stops and starts", () => {
  let redisServer: PrivateRedis;
  let probe: RedisClient;
  let queueReader: Redis;
  let server: OpsServer;
  // Real time plus a skew the worker tests move forward: "idle longer than the bound" without
  // sleeping through it (a busy machine only ever makes a sleep longer, never the clock).
  let skewMs = 0;
  const clock = () => Date.now() + skewMs;
  const tracker = new ProgressTracker(clock);
  let authCalls = 0;
  const slackOk = true;
  const key = "test:ops-health:pending";

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    probe = createRedisProbe({ mode: "single", url: redisServer.url }).redis;
    queueReader = new Redis(redisServer.url, {
      retryStrategy: () => 100,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    queueReader.on("error", () => {});
    await until(async () => probe.status === "ready" && queueReader.status === "ready");
    const health = createHealth({
      now: clock,
      // The pending count is read from the private Redis: on a loaded machine that can take more
      // than the default 1 s, and the worker would then show "unknown" instead of its count.
      pendingTimeoutMs: 30_000,
      readiness: [
        redisCheck(probe),
        slackAuthCheck(
          async () => {
            authCalls++;
            return slackOk ? { ok: true } : { ok: false, error: "invalid_auth" };
          },
          { cacheMs: 60_000 },
        ),
        ionTokenCheck(async () => "token"),
      ],
      workers: [
        {
          name: "delivery",
          lastProgressAt: () => tracker.lastProgressAt("delivery"),
          pending: () => queueReader.llen(key),
          staleAfterMs: 1000,
        },
      ],
    });
    server = await startOpsServer(health.routes(), { host: "127.0.0.1", port: 0 });
  });

  afterAll(async () => {
    await server.close();
    probe.disconnect();
    queueReader.disconnect();
    await redisServer.close();
  });

  const ready = () => httpRequest(server.port, { path: "/readyz" });
  const live = () => httpRequest(server.port, { path: "/healthz" });

  it("is ready while Redis, Slack and ION answer", async () => {
    const res = await ready();
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      status: "ok",
      failed: [],
      checks: { redis: { ok: true }, slack: { ok: true }, ion: { ok: true } },
    });
  });

  it("goes red naming redis when Redis stops, and green again when it starts", async () => {
    await redisServer.stop();
    await until(async () => (await ready()).status === 503);
    const red = (await ready()).json();
    expect(red).toMatchObject({ status: "fail", failed: ["redis"] });
    // Liveness does not follow Redis: restarting the app would not bring Redis back.
    expect((await live()).status).toBe(200);

    await redisServer.start();
    await until(async () => (await ready()).status === 200);
    expect((await ready()).json()).toMatchObject({ status: "ok", failed: [] });
  });

  it("caches Slack auth.test so probes do not spend its rate limit", async () => {
    const before = authCalls;
    await Promise.all([ready(), ready(), ready()]);
    expect(authCalls - before).toBe(0);
  });

  it("fails liveness when work waits and the worker makes no progress, and recovers on progress", async () => {
    tracker.beat("delivery");
    expect((await live()).status).toBe(200);
    await queueReader.rpush(key, "job-1");
    // The probe that first sees the work waiting starts its clock.
    expect((await live()).status).toBe(200);
    skewMs += 1300;
    const red = await live();
    expect(red.status).toBe(503);
    expect(red.json()).toMatchObject({
      failed: ["worker:delivery"],
      checks: { "worker:delivery": { error: "no_progress", detail: { pending: 1 } } },
    });
    tracker.beat("delivery");
    expect((await live()).status).toBe(200);
    await queueReader.del(key);
    // A probe that sees nothing pending clears the clock. Without it the next test's beat could
    // fall in this probe's millisecond, which does not count as later, and its probe found the
    // work waiting since this one (1 run in 4 on this machine).
    expect((await live()).json()).toMatchObject({
      checks: { "worker:delivery": { detail: { pending: 0 } } },
    });
  });

  it("stays live when work arrives for a worker that was idle longer than the bound", async () => {
    tracker.beat("delivery");
    skewMs += 1300;
    await queueReader.rpush(key, "job-2");
    const first = await live();
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({
      checks: { "worker:delivery": { ok: true, detail: { pending: 1 } } },
    });
    await queueReader.del(key);
  });

  it("stays live when the worker is idle with nothing pending", async () => {
    skewMs += 1300;
    const res = await live();
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      checks: { "worker:delivery": { ok: true, detail: { pending: 0 } } },
    });
  });
});

describe("readiness details", () => {
  it("reports a check that hangs as a timeout, and draining once shutdown starts", async () => {
    const health = createHealth({
      readiness: [{ name: "ion", timeoutMs: 50, check: () => new Promise(() => {}) }],
    });
    const r = await health.readiness();
    expect(r).toMatchObject({
      status: "fail",
      failed: ["ion"],
      checks: { ion: { error: "timeout" } },
    });
    const ok = createHealth({ readiness: [] });
    expect((await ok.readiness()).status).toBe("ok");
    ok.setDraining();
    expect(await ok.readiness()).toMatchObject({ status: "fail", failed: ["shutdown"] });
  });

  it("reports Slack's error name, not a message", async () => {
    const health = createHealth({
      readiness: [slackAuthCheck(async () => ({ ok: false, error: "token_revoked" }))],
    });
    expect(await health.readiness()).toMatchObject({
      checks: { slack: { ok: false, error: "token_revoked" } },
    });
  });

  it("fails liveness when the event loop was blocked past the bound", async () => {
    const monitor = createEventLoopMonitor({ windowMs: 60_000 });
    try {
      const health = createHealth({ eventLoop: monitor, maxEventLoopDelayMs: 100 });
      // Let the monitor's sampling timer start before blocking.
      await new Promise((r) => setTimeout(r, 60));
      const end = Date.now() + 400;
      while (Date.now() < end) {
        // Deliberately block the loop.
      }
      await new Promise((r) => setTimeout(r, 60));
      const r = await health.liveness();
      expect(r).toMatchObject({ status: "fail", failed: ["event_loop"] });
      expect(r.checks.event_loop?.detail?.maxDelayMs).toBeGreaterThan(100);
    } finally {
      monitor.stop();
    }
  });
});
