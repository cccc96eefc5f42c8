import { afterEach, describe, expect, it, vi } from "vitest";
import { startPrivateRedis } from "../../sandbox/support/redis-server.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a Redis restart under delivery", () => {
  it("is logged through the logger, not printed raw to stderr", async () => {
    const printed: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
    const redis = await startPrivateRedis();
    const d = createSlackDelivery({
      connection: redis.url,
      prefix: "test:redis-errors:",
      slack: { token: "xoxb-test", slackApiUrl: "http://127.0.0.1:9/api/" },
      config: { digests: { enabled: false } },
    });
    d.startWorker({ concurrency: 1 });
    try {
      await d.stats();
      await redis.stop("SIGKILL");
      // ioredis retries with backoff: give it a few reconnect attempts to fail.
      await new Promise((r) => setTimeout(r, 1500));
      // ioredis ("Unhandled error event") and BullMQ (a queue without an "error" listener) both
      // fall back to console.error.
      expect(printed.filter((p) => /Unhandled error event|ECONNREFUSED/.test(p))).toEqual([]);
    } finally {
      await redis.start();
      // BullMQ's worker.close() waits out a reconnect in progress (backoff up to 2 s): let the
      // connections come back before closing (cleanup only; the assertion is above).
      await new Promise((r) => setTimeout(r, 3000));
      await d.close();
      await redis.close();
    }
  }, 60_000);
});
