import { createHash, randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import { TYPE_CODES } from "../../src/audit/codec.ts";
import { DICTIONARY_V1 } from "../../src/audit/dictionary.ts";
import { AuditLog } from "../../src/audit/log.ts";
import { AUDIT_TYPES } from "../../src/audit/types.ts";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:audit-compact:${randomBytes(4).toString("hex")}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function payment(n: number, channel = "C1") {
  return createAlert({
    kind: "record.new",
    channel,
    record: {
      entity: "payment",
      tenant: "T",
      company: "100",
      division: "",
      source: "m3",
      changedAt: "2026-12-01",
      supplierId: `S${n}`,
      supplierName: `Supplier ${n}`,
      reference: `PAY-${n}`,
      paymentDate: "2026-12-01",
      amount: { amount: `${n}.50`, currency: "EUR" },
    },
    createdAt: new Date("2026-12-01T00:00:00Z"),
  });
}

/** An entry as the log wrote it before the compact shape (named fields, base64 DEFLATE data). */
async function writeNamed(p: string, fields: string[], index: Record<string, string>) {
  const id = (await redis.xadd(`${p}audit:log`, "*", ...fields)) as string;
  const ms = Number(id.split("-")[0]);
  for (const [kind, value] of Object.entries(index)) {
    await redis.zadd(`${p}audit:idx:${kind}:${value}`, ms, id);
  }
  return id;
}

describe("compact entries", () => {
  it("share one set of field names, keep type and time as integers, and store an alert's id once", async () => {
    const p = `${prefix}c:`;
    const log = new AuditLog({ redis, prefix: p, clock: () => Date.UTC(2026, 11, 7, 9) });
    const a = payment(1);
    await log.storeAlert(a);
    await log.append({ type: "ops" });
    const raw = (await redis.xrangeBuffer(log.streamKey, "-", "+")) as [Buffer, Buffer[]][];
    const names = raw.map(([, f]) => f.filter((_, i) => i % 2 === 0).map(String));
    // An entry without alert, record or channel keeps the same names (empty values).
    expect(names[0]).toEqual(names[1]);
    const value = (i: number, k: string) => {
      const f = raw[i]?.[1] ?? [];
      return f[f.findIndex((b) => b.toString() === k) + 1]?.toString() ?? "";
    };
    expect(value(0, names[0]?.[0] ?? "")).toMatch(/^\d+$/);
    expect(value(0, names[0]?.[1] ?? "")).toBe(String(Date.UTC(2026, 11, 7, 9)));
    // The alert id is in the entry's own field only, not again in the stored alert.
    const bytes = Buffer.concat(raw[0]?.[1] ?? []).toString("latin1");
    expect(bytes.split(a.id).length - 1).toBe(1);

    const [stored] = await log.query({ alertId: a.id });
    expect(stored).toMatchObject({
      type: "alert.stored",
      at: "2026-12-07T09:00:00.000Z",
      alertId: a.id,
      recordKey: a.recordKey,
      channel: "C1",
    });
    expect(stored?.data).toEqual({ alert: a });
    expect(await log.storedAlerts({ channel: "C1" })).toEqual([a]);
  });

  it("index a channel in a stream of the log's ids, trimmed by retention", async () => {
    const p = `${prefix}s:`;
    let now = Date.now();
    const log = new AuditLog({ redis, prefix: p, clock: () => now, retention: { maxAgeMs: 60 } });
    for (let i = 0; i < 300; i++) {
      await log.append({ type: "post.attempt", alertId: `a${i}`, channel: "C9", data: { i } });
    }
    const key = `${p}audit:idxs:channel:C9`;
    expect(await redis.type(key)).toBe("stream");
    // A sorted set of 300 ids spends over 100 bytes a member.
    const perEntry = Number(await redis.memory("USAGE", key, "SAMPLES", "0")) / 300;
    expect(perEntry).toBeLessThan(40);
    expect((await log.query({ channel: "C9" })).map((e) => e.data?.i)).toEqual(
      Array.from({ length: 300 }, (_, i) => i),
    );
    await new Promise((r) => setTimeout(r, 100));
    now = Date.now();
    await log.append({ type: "ops", channel: "C9" });
    await log.trim();
    expect(await redis.xlen(key)).toBe(1);
  });

  it("read a channel whose index holds more ids than a call takes arguments", async () => {
    const p = `${prefix}b:`;
    const log = new AuditLog({ redis, prefix: p });
    // 160,000 ids whose entries retention already dropped (a busy channel over months), then one.
    const pipe = redis.pipeline();
    for (let i = 1; i <= 160_000; i++) pipe.xadd(`${p}audit:idxs:channel:C8`, `1-${i}`, "", "");
    await pipe.exec();
    await log.append({ type: "ops", channel: "C8", data: { last: true } });
    expect((await log.query({ channel: "C8" })).map((e) => e.data)).toEqual([{ last: true }]);
  }, 30_000);

  it("read entries of the named shape and their sorted-set indexes alongside compact ones", async () => {
    const p = `${prefix}o:`;
    const log = new AuditLog({ redis, prefix: p });
    const a = payment(2, "C2");
    const index = { alert: a.id, record: a.recordKey, channel: "C2" };
    const alertJson = JSON.stringify({ alert: a });
    const deflated = `~${(await import("node:zlib")).deflateRawSync(alertJson).toString("base64")}`;
    const at = "2026-12-01T08:00:00.000Z";
    const base = ["at", at, "alertId", a.id, "recordKey", a.recordKey, "channel", "C2"];
    await writeNamed(p, ["type", "alert.stored", ...base, "data", deflated], index);
    await writeNamed(p, ["type", "post.attempt", ...base, "data", '{"mode":"post"}'], index);
    await writeNamed(
      p,
      ["type", "ops", "at", at, "alertId", a.id, "data", '{"event":"approval.decided"}'],
      { alert: a.id },
    );
    await log.append({ type: "post.result", alertId: a.id, recordKey: a.recordKey, channel: "C2" });

    const types = ["alert.stored", "post.attempt", "approval.decided", "post.result"];
    expect((await log.query({ alertId: a.id })).map((e) => e.type)).toEqual(types);
    expect((await log.query({ recordKey: a.recordKey })).map((e) => e.type)).toEqual([
      "alert.stored",
      "post.attempt",
      "post.result",
    ]);
    const byChannel = await log.query({ channel: "C2" });
    expect(byChannel.map((e) => e.type)).toEqual(["alert.stored", "post.attempt", "post.result"]);
    expect(byChannel[0]).toMatchObject({ at, alertId: a.id, data: { alert: a } });
    expect(await log.storedAlerts({ channel: "C2" })).toEqual([a]);
    expect((await log.query({})).map((e) => e.type)).toEqual(types);
  });

  it("keep one code per type, for every type", () => {
    const codes = AUDIT_TYPES.map((t) => TYPE_CODES[t]);
    expect(codes.every((c) => Number.isInteger(c) && c > 0)).toBe(true);
    expect(new Set(codes).size).toBe(AUDIT_TYPES.length);
  });

  it("decode with a dictionary that never changes", () => {
    // Entries already in Redis inflate only with these exact bytes: a new dictionary needs a new
    // marker byte (codec.ts), this one stays.
    expect(createHash("sha256").update(DICTIONARY_V1).digest("hex")).toBe(
      "37b1fc9ecd6d9849a524c53553e188769dc30938030b1fadf7743af43111091f",
    );
  });
});
