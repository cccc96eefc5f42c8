import { describe, expect, it } from "vitest";
import { sanitize, sanitizedForWrite } from "../../src/audit/sanitize.ts";

/** Nested `levels` deep: { n: { n: ... { n: 1 } } }. */
function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { n: v };
  return v;
}

describe("sanitizedForWrite", () => {
  it("hands back the value itself when sanitize's copy would be the same", () => {
    const data = {
      alert: { id: "a1", lines: [{ qty: "1", price: { amount: "2.5" } }], blocked: false, x: null },
      attempt: 1,
    };
    expect(sanitizedForWrite(data)).toBe(data);
    const deep = nested(20); // as deep as sanitize keeps
    expect(sanitizedForWrite(deep)).toBe(deep);
  });

  it("serializes as sanitize's copy whatever the value holds", () => {
    const cases: unknown[] = [
      { token: "abc", nested: { clientSecret: "s" } },
      { note: "posted with xoxb-123-abc by mistake" },
      [{ ok: true }, { Authorization: "Bearer x" }],
      { at: new Date(0) },
      { m: new Map([["a", 1]]) },
      nested(25),
      // biome-ignore lint/suspicious/noSparseArray: a hole, on purpose
      { list: [1, , 3] },
      { u: undefined, f: () => 1 },
      "xoxp-1-2",
      42,
      null,
    ];
    for (const value of cases) {
      expect(JSON.stringify(sanitizedForWrite(value))).toBe(JSON.stringify(sanitize(value)));
    }
    // What needs redacting is never handed back as it was.
    const secret = { password: "p" };
    expect(sanitizedForWrite(secret)).not.toBe(secret);
    expect(sanitizedForWrite(secret)).toEqual({ password: "[redacted]" });
    expect(JSON.stringify(sanitizedForWrite(nested(25)))).toContain("[depth]");
  });
});
