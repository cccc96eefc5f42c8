import { describe, expect, it } from "vitest";
import { decodeFields, encodeFields } from "../../src/audit/codec.ts";
import type { AuditType } from "../../src/audit/types.ts";

const asBuffers = (pairs: readonly (string | number | Buffer)[]) =>
  pairs.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))));
const onlyStored = (t: AuditType) => t === "alert.stored";

describe("decoding with a type filter", () => {
  it("an entry of another type comes without its data; a wanted one with it", () => {
    const fields = asBuffers(
      encodeFields({ type: "post.result", atMs: 1, alertId: "a1", data: { ok: true, ts: "1.2" } }),
    );
    const skipped = decodeFields("1-0", fields, onlyStored);
    expect(skipped).toMatchObject({ type: "post.result", alertId: "a1" });
    expect(skipped.data).toBeUndefined();
    const whole = decodeFields("1-0", fields);
    expect(whole.data).toMatchObject({ ok: true, ts: "1.2" });
    const stored = asBuffers(
      encodeFields({ type: "alert.stored", atMs: 2, alertId: "a2", data: { alert: { id: "a2" } } }),
    );
    expect(decodeFields("2-0", stored, onlyStored).data).toMatchObject({ alert: { id: "a2" } });
  });

  it("a legacy entry names its type in its data: decoded whole, whatever the filter", () => {
    const legacy = asBuffers([
      "type",
      "ops",
      "at",
      "2026-12-01T00:00:00.000Z",
      "data",
      '{"event":"alert.stored","alert":{"id":"a3"}}',
    ]);
    const entry = decodeFields("3-0", legacy, onlyStored);
    expect(entry.type).toBe("alert.stored");
    expect(entry.data).toMatchObject({ alert: { id: "a3" } });
  });
});
