import { describe, expect, it } from "vitest";
import { canonicalJson, contentHash } from "../../src/sync/canonical.ts";
import { alertIdFor, detectChange, type StoredVersion } from "../../src/sync/detect.ts";
import { po } from "./helpers.ts";

function stored(record: unknown): StoredVersion {
  const d = detectChange(record, undefined);
  if (d.outcome !== "new") throw new Error("expected new");
  return { hash: d.hash, rev: d.rev, snapshot: d.snapshot };
}

const base = po("4000001", "2026-11-30", {
  lines: [
    {
      line: 10,
      orderedQty: "10",
      receivedQty: "0",
      unitPrice: { amount: "1.00", currency: "EUR" },
    },
    { line: 20, orderedQty: "5", receivedQty: "0", unitPrice: { amount: "2.00", currency: "EUR" } },
  ],
});

describe("canonical form", () => {
  it("sorts keys and ignores key order", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
  });
  it("drops undefined and the volatile change stamp", () => {
    expect(contentHash({ a: 1, changedAt: "2026-01-01", changedBy: "X" })).toBe(
      contentHash({ a: 1, x: undefined, changedAt: "2026-02-02" }),
    );
  });
  it("keeps plain arrays in order but sorts lines by line number", () => {
    expect(contentHash({ a: [1, 2] })).not.toBe(contentHash({ a: [2, 1] }));
    expect(contentHash({ lines: [{ line: 20 }, { line: 10 }] })).toBe(
      contentHash({ lines: [{ line: 10 }, { line: 20 }] }),
    );
  });
});

describe("detectChange", () => {
  const cases: {
    name: string;
    after: Record<string, unknown>;
    outcome: "unchanged" | "updated";
    paths?: string[];
  }[] = [
    { name: "same content", after: structuredClone(base), outcome: "unchanged" },
    {
      name: "only the change date and user moved",
      after: { ...structuredClone(base), changedAt: "2026-12-01", changedBy: "JDOE" },
      outcome: "unchanged",
    },
    {
      name: "lines in another order",
      after: { ...structuredClone(base), lines: [...(base.lines as unknown[])].reverse() },
      outcome: "unchanged",
    },
    {
      name: "total amount",
      after: { ...structuredClone(base), total: { amount: "120.00", currency: "EUR" } },
      outcome: "updated",
      paths: ["total.amount"],
    },
    {
      name: "received quantity on line 20",
      after: (() => {
        const r = structuredClone(base) as { lines: Record<string, unknown>[] };
        (r.lines[1] as Record<string, unknown>).receivedQty = "5";
        return r;
      })(),
      outcome: "updated",
      paths: ["lines[20].receivedQty"],
    },
    {
      name: "a line inserted before others names only that line",
      after: (() => {
        const r = structuredClone(base) as { lines: Record<string, unknown>[] };
        r.lines.unshift({ line: 5, orderedQty: "1", receivedQty: "0", unitPrice: {} });
        return r;
      })(),
      outcome: "updated",
      paths: ["lines[5]"],
    },
    {
      name: "a line removed",
      after: { ...structuredClone(base), lines: [(base.lines as unknown[])[0]] },
      outcome: "updated",
      paths: ["lines[20]"],
    },
    {
      name: "a receipt added and the status changed",
      after: (() => {
        const r = structuredClone(base) as { lines: Record<string, unknown>[]; status: string };
        (r.lines[0] as Record<string, unknown>).receipts = [
          { id: "R1", date: "2026-11-30", quantity: "10" },
        ];
        r.status = "Received";
        return r;
      })(),
      outcome: "updated",
      paths: ["lines[10].receipts", "status"],
    },
    {
      name: "an optional field appears",
      after: { ...structuredClone(base), deliveryDate: "2026-12-24" },
      outcome: "updated",
      paths: ["deliveryDate"],
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.outcome}`, () => {
      const d = detectChange(c.after, stored(base));
      expect(d.outcome).toBe(c.outcome);
      if (d.outcome === "updated") {
        expect(d.changes.map((x) => x.path)).toEqual(c.paths);
        expect(d.rev).toBe(2);
      }
    });
  }

  it("is new without a stored version, and reports before/after values", () => {
    expect(detectChange(base, undefined).outcome).toBe("new");
    const after = { ...structuredClone(base), total: { amount: "99.95", currency: "EUR" } };
    const d = detectChange(after, stored(base));
    expect(d.outcome === "updated" && d.changes[0]).toEqual({
      path: "total.amount",
      before: "100.00",
      after: "99.95",
      currency: "EUR",
    });
  });

  it("updated without a kept snapshot still updates, with no field list", () => {
    const prev = stored(base);
    delete prev.snapshot;
    const d = detectChange({ ...base, status: "Closed" }, prev);
    expect(d.outcome).toBe("updated");
    expect(d.outcome === "updated" && d.changes).toEqual([]);
  });
});

describe("alert ids", () => {
  it("are stable for one version and distinct across versions, A → B → A included", () => {
    const k = "purchase_order:ACME:100:AAA:4000001";
    expect(alertIdFor(k, 1, "h1")).toBe(alertIdFor(k, 1, "h1"));
    const ids = new Set([alertIdFor(k, 1, "hA"), alertIdFor(k, 2, "hB"), alertIdFor(k, 3, "hA")]);
    expect(ids.size).toBe(3);
    expect(alertIdFor(k, 1, "h1")).toMatch(/^[0-9a-f]{32}$/);
  });
});
