import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrivateRedis, startPrivateRedis } from "../../sandbox/support/redis-server.ts";
import { createHealth } from "../../src/ops/health.ts";
import { createRedisProbe } from "../../src/ops/redis-probe.ts";
import { type OpsServer, startOpsServer } from "../../src/ops/routes.ts";
import { httpRequest } from "./helpers.ts";

/**
 * Issue 14: with the runbook's `noeviction` and a full `maxmemory`, Redis answers PING but refuses
 * every write (OOM), and polling and delivery fail. /readyz must say so. A private redis-server
 * (own port and folder) is filled to its limit for real, so nobody else's Redis is touched.
 */
let redisServer: PrivateRedis;
let admin: Redis;
let probe: ReturnType<typeof createRedisProbe>;
let server: OpsServer;

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  admin = new Redis(redisServer.url);
  probe = createRedisProbe({ mode: "single", url: redisServer.url }, { prefix: "test:readyz:" });
  const health = createHealth({ readiness: [probe.check] });
  server = await startOpsServer(health.routes(), { host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  await server?.close();
  probe?.redis.disconnect();
  await admin?.quit();
  await redisServer?.close();
});

const ready = () => httpRequest(server.port, { path: "/readyz" });

describe("/readyz and a Redis that refuses writes", () => {
  it("is ready while Redis takes writes, not ready while it refuses them (OOM), ready again after", async () => {
    for (let i = 0; probe.redis.status !== "ready" && i < 100; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = await ready();
    await admin.config("SET", "maxmemory-policy", "noeviction");
    await admin.config("SET", "maxmemory", "1");
    // Redis refuses the write for real, while PING still answers PONG.
    await expect(admin.set("test:readyz:x", "1")).rejects.toThrow(/OOM/);
    expect(await admin.ping()).toBe("PONG");
    const during = await ready();
    await admin.config("SET", "maxmemory", "0");
    const after = await ready();
    expect([before.status, during.status, after.status]).toEqual([200, 503, 200]);
    expect(JSON.stringify(during.json())).toContain("redis_write_refused");
  });
});
