import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { deleteByPrefix } from "../../sandbox/support/redis-keys.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import { AuditLog } from "../../src/audit/log.ts";
import { admit, admitMany } from "../../src/delivery/admit.ts";
import type { DeliveryContext } from "../../src/delivery/context.ts";
import { deliveryKeys } from "../../src/delivery/keys.ts";
import { exitPost, promoteToFront } from "../../src/delivery/line.ts";
import { Markers } from "../../src/delivery/markers.ts";
import { Pacer } from "../../src/delivery/pacer.ts";
import { DEFAULT_LEARN } from "../../src/delivery/pacing-math.ts";
import { RedisRateLimiter } from "../../src/infor/http/rate-limiter.ts";
import { RedisSignInGate } from "../../src/infor/http/signin-gate.ts";
import { invoiceToken, pipelineKeys } from "../../src/pipeline/keys.ts";
import { triggerReadsScript } from "../../src/pipeline/scripts.ts";
import { createStateStore } from "../../src/pipeline/state-store.ts";
import { countOnce } from "../../src/shared/count-once.ts";
import { definedScripts } from "../../src/shared/lua-script.ts";
import { auditInputOf } from "../../src/slack/audit-sink.ts";
import { pacedFetch } from "../../src/slack/destination/method-pacing.ts";
import { clearFailures, recordFailure } from "../../src/sync/failures.ts";
import { syncKeys } from "../../src/sync/keys.ts";
import { acquirePollLock } from "../../src/sync/lock.ts";
import { runPoll } from "../../src/sync/poll.ts";
import {
  crc16,
  crossSlotCalls,
  hashSlot,
  recordScriptKeys,
  scriptsNotSeen,
} from "../support/script-keys.ts";
import { FakeSource, manualClock, po, poSchedule, RecordingSink, scope } from "../sync/helpers.ts";

// Redis Cluster runs a script only when all its KEYS hash to one slot. With a hash-tagged prefix
// (what a Cluster deployment sets) every key the app builds carries the tag; this drives each
// script through the code that builds its keys and checks every call.
const tag = `{test:slots:${randomBytes(4).toString("hex")}}`;
const prefix = `${tag}:`;
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
  maxRetriesPerRequest: null,
});
const queue = new Queue("slots", { connection: redis, prefix: tag });
afterAll(async () => {
  await queue.close();
  await deleteByPrefix(redis, tag);
  await redis.quit();
});

describe("hashSlot (the cluster spec's examples)", () => {
  it("is CRC16/XMODEM mod 16384 of the key, or of its hash tag", () => {
    expect(crc16(Buffer.from("123456789"))).toBe(0x31c3);
    expect(hashSlot("foo")).toBe(12182);
    expect(hashSlot("{user1000}.following")).toBe(hashSlot("{user1000}.followers"));
    // An empty first tag means no tag: the whole key is hashed.
    expect(hashSlot("foo{}{bar}")).toBe(crc16(Buffer.from("foo{}{bar}")) % 16384);
    expect(hashSlot("foo{{bar}}zap")).toBe(hashSlot("{bar"));
  });

  it("finds a call whose keys span slots", () => {
    const calls = [
      { script: "ok", keys: [`${prefix}a`, `${prefix}b`] },
      { script: "split", keys: [`${prefix}a`, "cs:b"] },
    ];
    expect(crossSlotCalls(calls).map((c) => c.script)).toEqual(["split"]);
    expect(scriptsNotSeen(calls)).toContain("transition");
  });
});

describe("every Lua script's keys share one slot under a tagged prefix", () => {
  it("as each caller builds them", async () => {
    const { client, calls } = recordScriptKeys(redis);

    // audit (append.lua); approvals (create.lua, transition.lua with its audit entry)
    const log = new AuditLog({ redis: client, prefix });
    await log.append({ type: "ops", alertId: "a1", recordKey: "r1", channel: "C1" });
    const store = createApprovalStore({
      redis: client,
      prefix,
      prepareAudit: (e) => log.prepare(auditInputOf(e)),
    });
    const { approval } = await store.create({
      alertId: "a1",
      recordKey: "r1",
      kind: "invoice",
      title: "a1",
      amount: { amount: "1.00", currency: "EUR" },
      costCenter: "100",
      tenant: "T",
      company: "1",
      recordVersion: "v1",
    });
    const audit = {
      type: "approval.decided" as const,
      approvalId: approval.id,
      alertId: "a1",
      recordKey: "r1",
      actor: "U1",
    };
    expect((await store.transition(approval.id, "approve", "U1", "", audit)).ok).toBe(true);

    // pipeline (commit.lua): a state removed, with its dependency
    const states = createStateStore({
      redis: client,
      keys: pipelineKeys(prefix),
      stateTtlMs: 60_000,
      memoTtlMs: 60_000,
    });
    await states.commit("m1", { alerts: [], closes: [] }, [
      { invoiceKey: "inv1", expectedRev: 0, next: undefined, previousDeps: ["po:T:1:4000001"] },
    ]);

    // pipeline (trigger-reads.lua), with the keys the exception tracker passes for an invoice
    const pk = pipelineKeys(prefix);
    await triggerReadsScript.run(client, {
      keys: {
        memo: pk.memo("m2"),
        dependents: pk.dependents(invoiceToken("inv2")),
        state: pk.invoice("inv2"),
        index: pk.supplierInvoices("T", "1", "S1"),
      },
      args: { readMemo: "1", field: "inv2", invoice: "{}", ttlMs: 60_000 },
    });

    // delivery (order-add, enqueue-alert(s), pacer-take, claim-post, pacer-learn, mark-delivered,
    // exit-post, method-take, promote-front)
    const keys = deliveryKeys(prefix);
    const pace = {
      channelIntervalMs: 1000,
      workspaceIntervalMs: 100,
      workspaceToleranceMs: 0,
      updateIntervalMs: 1200,
      historyIntervalMs: 1200,
      updateToleranceMs: 0,
      historyToleranceMs: 0,
      learn: DEFAULT_LEARN,
      learnTtlMs: 60_000,
    };
    const pacer = new Pacer(client, keys, pace);
    await pacer.register("C1", "a1");
    for (const kind of ["post", "update", "history"] as const) await pacer.take("C1", "a1", kind);
    await pacer.claimPost("C1", "a1", {
      subject: "s1",
      editable: true,
      since: Date.now(),
      markerTtlMs: 60_000,
      audit: log.prepare({ type: "post.attempt", alertId: "a1", channel: "C1" }),
    });
    await pacer.succeeded("C1");
    await pacer.rateLimited("C1", 1000);
    await new Markers(client, keys, 60_000).markDelivered({
      alertId: "a1",
      channel: "C1",
      subject: "s1",
      ts: "1.1",
      at: new Date().toISOString(),
      how: "post",
      setSubject: true,
      parentTs: "1.1",
      stat: "posted",
      audit: log.prepare({ type: "post.result", alertId: "a1", channel: "C1" }),
    });
    const fetch = pacedFetch({ redis: client, prefix, fetch: async () => new Response("{}") });
    await fetch("http://127.0.0.1/api/chat.update", {});
    const job = await queue.add("a1", {}, { delay: 60_000 });
    expect(await promoteToFront({ queue, redis: client }, job.id ?? "")).toBe(1);
    const markers = new Markers(client, keys, 60_000);
    const exitCtx = { redis: client, keys, queue, markers } as unknown as DeliveryContext;
    await exitPost(
      exitCtx,
      {
        alertId: "a0",
        channel: "C1",
        subject: "s0",
        ts: "1.0",
        at: new Date().toISOString(),
        how: "post",
        setSubject: true,
        parentTs: "1.0",
        stat: "posted",
        audit: log.prepare({ type: "post.result", alertId: "a0", channel: "C1" }),
      },
      "a1",
      pacer.successLesson("C1"),
    );
    const a2 = { id: "a2", channel: "C1", subject: "s2" } as Alert;
    expect(
      await admit(client, keys, queue, a2, {
        now: Date.now(),
        edits: true,
        stored: log.prepare({ type: "alert.stored", alertId: "a2", channel: "C1" }),
      }),
    ).toMatchObject({ status: "registered" });
    const a3 = { id: "a3", channel: "C2", subject: "s3" } as Alert;
    expect(
      await admitMany(
        client,
        keys,
        queue,
        [
          { alert: a3, edits: true, stored: log.prepare({ type: "alert.stored", alertId: "a3" }) },
          { alert: a2, edits: false },
        ],
        Date.now(),
      ),
    ).toMatchObject([{ status: "registered" }, { status: "registered" }]);

    // sync: a poll (lock, watermark-advance, failure-clear, lock-release), a failure, a renewal
    const source = new FakeSource();
    source.put("1", po("4000001", "2026-11-30"));
    const deps = {
      redis: client,
      prefix,
      sourceFactory: () => source,
      sink: new RecordingSink(),
      clock: manualClock("2026-12-01T08:00:00Z").now,
    };
    expect((await runPoll(deps, { schedule: poSchedule() })).status).toBe("primed");
    const pollKey = { ...scope, entity: "purchase_order" as const };
    await recordFailure(client, syncKeys(prefix).failures(pollKey), 3, new Date().toISOString());
    await clearFailures(client, syncKeys(prefix).failures(pollKey));
    const lease = await acquirePollLock(client, syncKeys(prefix).lock(pollKey), { ttlMs: 150 });
    await expect
      .poll(() => calls.some((c) => c.script === "lock-renew"), { timeout: 5000, interval: 20 })
      .toBe(true);
    await lease?.release();

    // count-once: delivery's stats hash, and its operation marker beside it
    await countOnce(client, keys.stats, "rate_limited");

    // infor (rpm-gcra, signin-window): one key each, built by create-client.ts from the prefix
    await new RedisRateLimiter(client, `${prefix}infor:rpm:T`, { limit: 6000 }).acquire();
    await new RedisSignInGate(client, `${prefix}infor:signins:T:x`, 6).take();

    expect(scriptsNotSeen(calls)).toEqual([]);
    expect(crossSlotCalls(calls)).toEqual([]);
    expect(calls.filter((c) => c.keys.some((k) => !k.startsWith(tag)))).toEqual([]);
    expect(definedScripts().length).toBeGreaterThanOrEqual(17);
  });
});
