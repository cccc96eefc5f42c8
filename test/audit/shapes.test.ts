import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeFields, type EncodeInput, encodeFields } from "../../src/audit/codec.ts";
import { DICTIONARY_V1 } from "../../src/audit/dictionary.ts";

/** The data field as Redis hands it back (Buffers), and the entry decoded from the fields. */
function roundTrip(e: EncodeInput) {
  const flat = encodeFields(e).map((v) => (typeof v === "string" ? Buffer.from(v, "utf8") : v));
  const stored = flat[flat.length - 1] as Buffer;
  return { stored, decoded: decodeFields("1-0", flat) };
}

const base = { atMs: 1_765_000_000_000, alertId: "a1", channel: "C1" } as const;

describe("a post's attempt and result in their own shape", () => {
  it("are a few bytes, no JSON and no deflate, and read back as written", () => {
    const attempt = roundTrip({
      ...base,
      type: "post.attempt",
      data: { mode: "post", attempt: 3 },
    });
    expect(attempt.stored.toString("latin1")).toBe("\u0002p3");
    expect(attempt.decoded.data).toEqual({ mode: "post", attempt: 3 });
    expect(Object.keys(attempt.decoded.data ?? {})).toEqual(["mode", "attempt"]);

    const result = roundTrip({
      ...base,
      type: "post.result",
      data: { ok: true, ts: "1765000000.123456", mode: "update" },
    });
    expect(result.stored.toString("latin1")).toBe("\u0003u1765000000.123456");
    expect(result.decoded.data).toEqual({ ok: true, ts: "1765000000.123456", mode: "update" });
    expect(Object.keys(result.decoded.data ?? {})).toEqual(["ok", "ts", "mode"]);
    // A ts beyond ASCII (another destination's reference) keeps its bytes.
    const other = roundTrip({
      ...base,
      type: "post.result",
      data: { ok: true, ts: "réf-é", mode: "post" },
    });
    expect(other.decoded.data).toEqual({ ok: true, ts: "réf-é", mode: "post" });
    expect(
      roundTrip({ ...base, type: "post.result", data: { ok: true, ts: "", mode: "post" } }).decoded
        .data,
    ).toEqual({ ok: true, ts: "", mode: "post" });
  });

  it("only data that is exactly that shape: anything else is JSON (or deflated JSON) as before", () => {
    const near: Record<string, unknown>[] = [
      { attempt: 1, mode: "post" }, // another key order
      { mode: "post", attempt: 1, extra: true },
      { mode: "edit", attempt: 1 },
      { mode: "toString", attempt: 1 },
      { mode: "post", attempt: 1.5 },
      { mode: "post", attempt: -1 },
      { mode: "post", attempt: "1" },
      { ok: false, ts: "1.2", mode: "post" },
      { ok: true, ts: 1.2, mode: "post" },
      { ok: true, mode: "post", ts: "1.2" },
      { ok: true, ts: "1.2", mode: "post", error: "x" },
      { ok: true, ts: "1.2", mode: "constructor" },
    ];
    for (const data of near) {
      const { stored, decoded } = roundTrip({ ...base, type: "post.result", data });
      expect(stored[0] === 0x7b || stored[0] === 0x01).toBe(true);
      expect(decoded.data).toEqual(data);
    }
  });

  it("entries written before (plain JSON, DEFLATE with the dictionary) still read", () => {
    const fields = (d: Buffer | string) =>
      ["t", "3", "m", String(base.atMs), "i", "a1", "r", "", "c", "C1", "d", d].map((v) =>
        Buffer.isBuffer(v) ? v : Buffer.from(v, "utf8"),
      );
    const plain = { mode: "post", attempt: 1 };
    expect(decodeFields("1-0", fields(JSON.stringify(plain))).data).toEqual(plain);
    const result = { ok: true, ts: "1765000000.123456", mode: "post" };
    const deflated = Buffer.concat([
      Buffer.of(0x01),
      deflateRawSync(Buffer.from(JSON.stringify(result)), { dictionary: DICTIONARY_V1 }),
    ]);
    expect(decodeFields("1-0", fields(deflated)).data).toEqual(result);
  });
});

describe("an entry whose data is in a form this release cannot read", () => {
  it("keeps its id, type and keys and says why, instead of failing the read", () => {
    const flat = encodeFields({ ...base, type: "post.result", data: { ok: true } }).map((v) =>
      typeof v === "string" ? Buffer.from(v, "utf8") : v,
    );
    const later = (d: Buffer) => decodeFields("7-0", [...flat.slice(0, -1), d]);
    // A shape a later release added (0x04), an unknown mode letter in a known shape, a deflate
    // that is not, and JSON that is not an object.
    for (const d of [
      Buffer.from("\u0004x9", "latin1"),
      Buffer.from("\u0002z3", "latin1"),
      Buffer.from([0x01, 0xff, 0x00, 0x13]),
      Buffer.from("[1,2]", "utf8"),
    ]) {
      const e = later(d);
      expect(e.id).toBe("7-0");
      expect(e.type).toBe("post.result");
      expect(e.alertId).toBe("a1");
      expect(e.channel).toBe("C1");
      expect(e.data).toBeUndefined();
      expect(e.undecodable).toMatch(/^data in a form this release cannot read \(.+, first byte 0x/);
    }
    // Readable data is not marked.
    expect(later(Buffer.from('{"ok":true}', "utf8")).undecodable).toBeUndefined();
  });
});
