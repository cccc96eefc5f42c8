import { describe, expect, it } from "vitest";
import { AlertInputError, createAlert, parseAlert } from "../../src/alerts/alert.ts";
import { payment } from "../delivery/emu.ts";

describe("createAlert", () => {
  const record = payment(1, "10.00");

  it("gives the same id to the same record version, a new id to a new version", () => {
    const a = createAlert({ kind: "record.new", channel: "C1", record, createdAt: new Date(0) });
    const b = createAlert({ kind: "record.new", channel: "C1", record, createdAt: new Date(1000) });
    const c = createAlert({ kind: "record.updated", channel: "C1", record: payment(1, "11.00") });
    expect(a.id).toBe(b.id);
    expect(c.id).not.toBe(a.id);
    expect(c.subject).toBe(a.subject);
    expect(a.recordKey).toBe("payment:ACME_TST:100::PAY-1");
  });

  it("keeps records, exceptions and channels apart", () => {
    const base = { channel: "C1", record } as const;
    const rec = createAlert({ kind: "record.new", ...base });
    const opened = createAlert({
      kind: "exception.opened",
      ...base,
      exception: { type: "price_variance", summary: "12% over PO" },
    });
    const resolved = createAlert({
      kind: "exception.resolved",
      ...base,
      exception: { type: "price_variance", summary: "fixed" },
    });
    const other = createAlert({ kind: "record.new", channel: "C2", record });
    expect(new Set([rec.id, opened.id, resolved.id, other.id]).size).toBe(4);
    expect(resolved.subject).toBe(opened.subject);
    expect(opened.subject).not.toBe(rec.subject);
  });

  it("round-trips through JSON (queue, audit) and rejects bad input with a code", () => {
    const a = createAlert({
      kind: "record.new",
      channel: "C1",
      record,
      needsDecision: { approvalId: "apr-9" },
    });
    expect(parseAlert(JSON.parse(JSON.stringify(a)))).toEqual(a);
    expect(a.needsDecision).toEqual({ approvalId: "apr-9", allowHold: true });
    try {
      createAlert({ kind: "ops", channel: "C1" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AlertInputError);
      expect((err as AlertInputError).code).toBe("alert_invalid");
    }
  });
});

describe("createAlert of a record parseRecord returned", () => {
  it("is the alert a plain copy of the record makes, and a bad copy is still refused", () => {
    const record = payment(2, "12.50");
    const trusted = createAlert({
      kind: "record.new",
      channel: "C1",
      record,
      createdAt: new Date(0),
    });
    const copy = JSON.parse(JSON.stringify(record));
    const plain = createAlert({
      kind: "record.new",
      channel: "C1",
      record: copy,
      createdAt: new Date(0),
    });
    expect(JSON.stringify(trusted)).toBe(JSON.stringify(plain));
    expect(trusted.record).toBe(record);
    const bad = { ...copy, amount: { amount: "12,50", currency: "EUR" } };
    expect(() =>
      createAlert({ kind: "record.new", channel: "C1", record: bad, contentVersion: "v1" }),
    ).toThrow(/record\.amount\.amount: expected a decimal number/);
  });
});
