import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import {
  CREATE_CODE,
  createScript,
  TRANSITION_CODE,
  transitionScript,
} from "../../src/approvals/scripts.ts";
import {
  CLAIM_LOOK,
  claimPostScript,
  exitPostScript,
  MARK_CODE,
  markDeliveredScript,
  pacerTakeScript,
  TAKE_CODE,
} from "../../src/delivery/scripts.ts";
import { GCRA_CODE, rpmGcraScript } from "../../src/infor/http/scripts.ts";
import { COMMIT_CODE, commitScript } from "../../src/pipeline/scripts.ts";
import type { LuaScript, ScriptCall } from "../../src/shared/lua-script.ts";
import { LOCK_CODE, lockReleaseScript, lockRenewScript } from "../../src/sync/scripts.ts";

// Each script's reply codes, as the Lua returns them (raw, before its wrapper decodes them): the
// wrappers and these tests read the same tables.
const prefix = `test:script-codes:${randomBytes(4).toString("hex")}:`;
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** The raw reply: the script's source by EVAL, nothing decoded. */
async function raw<K extends string, A extends string>(
  script: LuaScript<K, A, unknown>,
  call: ScriptCall<K, A>,
): Promise<unknown> {
  const keys = script.keysOf(call);
  return redis.eval(script.source, keys.length, ...keys, ...script.argsOf(call));
}

const k = (name: string) => `${prefix}${name}`;

describe("reply codes", () => {
  it("create.lua and transition.lua", async () => {
    const create = {
      keys: { approval: k("a"), open: k("open"), recordLatest: k("rl"), recordAll: k("ra") },
      args: { id: "a", subject: "{}", createdMs: 1, createdAt: "t", indexSeconds: 60 },
    };
    expect(await raw(createScript, create)).toBe(CREATE_CODE.created);
    expect(await raw(createScript, create)).toBe(CREATE_CODE.existed);
    const move = (approval: string) => ({
      keys: { approval, open: k("open"), decisions: k("d") },
      args: {
        id: "a",
        from: "pending",
        target: "approved",
        actor: "U1",
        at: "t",
        reason: "",
        atMs: 1,
        final: "1",
        personal: "1",
        keepDecisions: 20,
        retainSeconds: 60,
      },
    });
    expect(await raw(transitionScript, move(k("a")))).toEqual([TRANSITION_CODE.moved, "approved"]);
    expect(((await raw(transitionScript, move(k("a")))) as unknown[])[0]).toBe(
      TRANSITION_CODE.refused,
    );
    expect(await raw(transitionScript, move(k("none")))).toEqual([TRANSITION_CODE.notFound]);
  });

  it("mark-delivered.lua", async () => {
    const call = {
      keys: {
        delivered: k("dl"),
        inflight: k("if"),
        subject: k("sj"),
        order: k("or"),
        pending: k("pe"),
        stats: k("st"),
      },
      args: {
        channel: "C",
        ts: "1.1",
        at: "t",
        alertId: "x",
        setSubject: "0",
        parentTs: "",
        how: "post",
        ttlMs: 60_000,
        stat: "posted",
      },
      tail: { keys: [k("log")], args: ["", "0", "t", "3"] },
    };
    expect(await raw(markDeliveredScript, call)).toBe(MARK_CODE.marked);
    expect(await raw(markDeliveredScript, call)).toBe(MARK_CODE.alreadyDelivered);
    expect(await redis.xlen(k("log"))).toBe(1);
  });

  it("pacer-take.lua: not in the line, granted, not the head", async () => {
    const take = (member: string) => ({
      keys: {
        line: k("line"),
        blocked: k("bl"),
        pace: k("pace"),
        workspacePace: k("wp"),
        postLine: k("line"),
      },
      args: {
        now: 1_000_000,
        member,
        channelIntervalMs: 1000,
        startAllowance: 0,
        fixedAllowance: "",
        learnTtlMs: 60_000,
        line: "post",
      },
      tail: { keys: [k("tat")], args: [1000, 0, "chan"] },
    });
    expect(((await raw(pacerTakeScript, take("m1"))) as unknown[])[0]).toBe(TAKE_CODE.notInLine);
    await redis.zadd(k("line"), 1, "m1", 2, "m2");
    expect(((await raw(pacerTakeScript, take("m1"))) as unknown[])[0]).toBe(TAKE_CODE.granted);
    expect(((await raw(pacerTakeScript, take("m2"))) as unknown[])[0]).toBe(TAKE_CODE.notHead);
  });

  it("claim-post.lua: look on any marker, else pacer-take's answer; granted writes the marker", async () => {
    const claim = (member: string, editable = "0") => ({
      keys: {
        line: k("cl:line"),
        blocked: k("cl:bl"),
        pace: k("cl:pace"),
        workspacePace: k("cl:wp"),
        postLine: k("cl:line"),
        tat: k("cl:tat"),
        workspaceTat: k("cl:wtat"),
        delivered: k(`cl:delivered:${member}`),
        digested: k(`cl:digested:${member}`),
        inflight: k(`cl:inflight:${member}`),
        subject: k("cl:subject"),
      },
      args: {
        now: 1_000_000,
        member,
        channelIntervalMs: 1000,
        startAllowance: 0,
        fixedAllowance: "",
        learnTtlMs: 60_000,
        line: "post",
        chanInterval: 1000,
        chanTolerance: 0,
        chanMode: "chan",
        wsInterval: 10,
        wsTolerance: 0,
        wsMode: "ws",
        editable,
        since: 999_999,
        threadTs: "",
        channel: "C1",
        ttlMs: 60_000,
      },
      tail: {
        keys: [k("cl:log"), k("cl:idx")],
        args: ["", "0", "t", "post.attempt"],
      },
    });
    const status = async (member: string, editable?: string) =>
      ((await raw(claimPostScript, claim(member, editable))) as unknown[])[0];
    expect(await status("m1")).toBe(TAKE_CODE.notInLine);
    await redis.zadd(k("cl:line"), 1, "m1", 2, "m2", 3, "m3");
    expect(await status("m2")).toBe(TAKE_CODE.notHead);
    // Each marker sends the job down the full path, with nothing taken or written.
    await redis.hset(k("cl:delivered:m1"), "ts", "1.1", "channel", "C1");
    expect(await status("m1")).toBe(CLAIM_LOOK);
    await redis.del(k("cl:delivered:m1"));
    await redis.set(k("cl:digested:m1"), "d1");
    expect(await status("m1")).toBe(CLAIM_LOOK);
    await redis.del(k("cl:digested:m1"));
    await redis.hset(k("cl:inflight:m1"), "channel", "C1", "since", "5");
    expect(await status("m1")).toBe(CLAIM_LOOK);
    await redis.del(k("cl:inflight:m1"));
    await redis.hset(k("cl:subject"), "ts", "2.2");
    expect(await status("m1", "1")).toBe(CLAIM_LOOK);
    expect(await redis.exists(k("cl:tat"), k("cl:log"), k("cl:inflight:m1"))).toBe(0);
    // Not editable: the subject's message does not matter; granted, with the one behind it.
    expect(await raw(claimPostScript, claim("m1"))).toEqual([TAKE_CODE.granted, 0, "m1", 0, "m2"]);
    expect(await redis.hgetall(k("cl:inflight:m1"))).toEqual({
      channel: "C1",
      since: "999999",
      mode: "post",
    });
    expect(await redis.pttl(k("cl:inflight:m1"))).toBeGreaterThan(0);
    expect(await redis.xlen(k("cl:log"))).toBe(1);
    // The slot is spent: the same head waits for the next one.
    expect(await status("m1")).toBe(CLAIM_LOOK);
    await redis.del(k("cl:inflight:m1"));
    expect(await status("m1")).toBe(TAKE_CODE.rate);
  });

  it("exit-post.lua: marks once, promotes the successor once it heads the line, reads the heads", async () => {
    await redis.zadd(k("ex:order"), 1, "a1", 2, "a2", 3, "a3");
    await redis.zadd(k("ex:edits"), 4, "e1");
    await redis.zadd(k("ex:delayed"), 99, "j2");
    const call = {
      keys: {
        delivered: k("ex:delivered:a1"),
        inflight: k("ex:inflight:a1"),
        subject: k("ex:subject"),
        order: k("ex:order"),
        pending: k("ex:pending"),
        stats: k("ex:stats"),
        edits: k("ex:edits"),
        delayed: k("ex:delayed"),
        wait: k("ex:wait"),
        meta: k("ex:meta"),
        active: k("ex:active"),
        marker: k("ex:marker"),
        job: k("ex:job:j2"),
        events: k("ex:events"),
        pace: k("ex:pace"),
        workspacePace: k("ex:wspace"),
        blocked: k("ex:blocked"),
        tat: k("ex:tat"),
      },
      args: {
        channel: "C1",
        ts: "1.1",
        at: "2026-12-07T00:00:00Z",
        alertId: "a1",
        setSubject: "1",
        parentTs: "1.1",
        how: "post",
        ttlMs: 60_000,
        stat: "posted",
        successor: "a2",
        successorJobId: "j2",
        // pacer-learn.lua's arguments for a success at 1000 (interval 1000 ms)
        now: 1000,
        event: "ok",
        retryAfterMs: 0,
        channelIntervalMs: 1000,
        start: 0,
        min: -2,
        max: 3,
        step: 1,
        margin: 0.5,
        holdSuccesses: 20,
        workspaceDecrease: 0.5,
        workspaceIncrease: 0.05,
        workspaceMinFactor: 0.2,
        learnTtlMs: 60_000,
        fixed: "0",
      },
      tail: { keys: [k("ex:log"), k("ex:idx")], args: ["", "0", "t", "post.result"] },
    };
    // Marked (MARK_CODE.marked), j2 moved from delayed (promote-front's 1), heads after the exit.
    expect(await raw(exitPostScript, call)).toEqual([MARK_CODE.marked, 1, "a2", "e1", 1]);
    expect(await redis.lrange(k("ex:wait"), 0, -1)).toEqual(["j2"]);
    expect(await redis.hget(k("ex:subject"), "ts")).toBe("1.1");
    expect(await redis.xlen(k("ex:log"))).toBe(1);
    // The success was learned first: the channel's next slot counts from the post (now + one
    // interval), one success counted, the workspace's factor kept.
    expect(await redis.get(k("ex:tat"))).toBe("2000");
    expect(await redis.hmget(k("ex:pace"), "a", "n")).toEqual(["0", "1"]);
    expect(await redis.hget(k("ex:wspace"), "f")).toBe("1");
    // Again: already marked (no second entry); j2 is in wait already (moved within it: 2).
    expect(await raw(exitPostScript, call)).toEqual([MARK_CODE.alreadyDelivered, 2, "a2", "e1", 1]);
    expect(await redis.xlen(k("ex:log"))).toBe(1);
    // A success that teaches nothing new (same allowance and factor, no 429 remembered) leaves
    // the pace hashes as they were: no second count.
    expect(await redis.hmget(k("ex:pace"), "a", "n")).toEqual(["0", "1"]);
    expect(await redis.hmget(k("ex:wspace"), "f", "n")).toEqual(["1", "1"]);
    // One that does (a 429 remembered) writes as before.
    await redis.hset(k("ex:pace"), "c", "2");
    await raw(exitPostScript, call);
    expect(await redis.hmget(k("ex:pace"), "a", "c", "n")).toEqual(["0", "2", "2"]);
    // A successor that is not the head is left where it is.
    const early = { ...call, args: { ...call.args, successor: "a3", successorJobId: "j3" } };
    await redis.zadd(k("ex:delayed"), 99, "j3");
    expect(((await raw(exitPostScript, early)) as unknown[])[1]).toBe(0);
    expect(await redis.zscore(k("ex:delayed"), "j3")).toBe("99");
    // A lesson that fails (the channel's pace key holds a string) still lets the post be
    // marked, and says it failed (the caller logs it).
    await redis.set(k("ex:pace2"), "not a hash");
    const broken = {
      ...call,
      keys: { ...call.keys, delivered: k("ex:delivered:b1"), pace: k("ex:pace2") },
      args: { ...call.args, alertId: "b1" },
    };
    const reply = (await raw(exitPostScript, broken)) as unknown[];
    expect(reply[0]).toBe(MARK_CODE.marked);
    expect(reply[4]).toBe(0);
    expect(await redis.exists(k("ex:delivered:b1"))).toBe(1);
  });

  it("commit.lua, the poll lock scripts and rpm-gcra.lua", async () => {
    const commit = {
      keys: { memo: k("memo") },
      args: { memo: "{}", memoTtlMs: 60_000, stateTtlMs: 60_000, states: 0 },
      tail: { args: [0] },
    };
    expect(await raw(commitScript, commit)).toBe(COMMIT_CODE.committed);
    expect(await raw(commitScript, commit)).toBe(COMMIT_CODE.conflict);

    await redis.set(k("lock"), "tok", "PX", 60_000);
    const renew = (token: string) => ({
      keys: { lock: k("lock") },
      args: { token, ttlMs: 60_000 },
    });
    const release = (token: string) => ({ keys: { lock: k("lock") }, args: { token } });
    expect(await raw(lockRenewScript, renew("other"))).toBe(LOCK_CODE.notHolder);
    expect(await raw(lockRenewScript, renew("tok"))).toBe(LOCK_CODE.done);
    expect(await raw(lockReleaseScript, release("other"))).toBe(LOCK_CODE.notHolder);
    expect(await raw(lockReleaseScript, release("tok"))).toBe(LOCK_CODE.done);

    const gcra = {
      keys: { tat: k("rpm") },
      args: { intervalUs: 60_000_000, burst: 1, maxWaitUs: 1 },
    };
    expect(((await raw(rpmGcraScript, gcra)) as unknown[])[0]).toBe(GCRA_CODE.reserved);
    expect(((await raw(rpmGcraScript, gcra)) as unknown[])[0]).toBe(GCRA_CODE.tooFar);
  });
});
