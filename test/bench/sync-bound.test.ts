import { describe, expect, it } from "vitest";
import { describeBound, importBound, tableOfCall } from "../../bench/support/sync-bound.ts";

const rows = { FAPIBH: 1000, FAPIBL: 2236, MPHEAD: 954, MPLINE: 2521, MPLIND: 4326, FPLEDG: 0 };

describe("sync import lower bound", () => {
  it("rounds each table up on its own (one table per EXPORTMI call)", () => {
    const b = importBound(rows, 1000);
    expect(b.tables.map((t) => t.pages)).toEqual([1, 3, 1, 3, 5, 0]);
    expect(b.total).toBe(13);
    // Pooling the rows of all tables would give ⌈11,037 ÷ 1,000⌉ = 12: too low to be a bound.
    expect(b.total).toBeGreaterThan(Math.ceil(11037 / 1000));
  });

  it("counts one more page for one more row past a full page", () => {
    expect(importBound({ ...rows, FAPIBH: 1001 }, 1000).total).toBe(14);
    expect(importBound({ ...rows, FPLEDG: 1 }, 1000).total).toBe(14);
  });

  it("refuses nonsense instead of producing a small bound", () => {
    expect(() => importBound(rows, 0)).toThrow(RangeError);
    expect(() => importBound({ ...rows, MPLINE: -1 }, 1000)).toThrow(RangeError);
    expect(() => importBound({ ...rows, MPLINE: Number.NaN }, 1000)).toThrow(RangeError);
  });

  it("states the computation", () => {
    const text = describeBound(importBound(rows, 1000), 1000);
    expect(text).toContain("MPLIND ⌈4326/1000⌉=5");
    expect(text).toMatch(/= 13$/);
  });

  it("names the table of an EXPORTMI call from its QERY", () => {
    expect(tableOfCall("EXPORTMI", "Select", { QERY: "IBPUNO, IBPNLI from MPLINE where x" })).toBe(
      "MPLINE",
    );
    expect(tableOfCall("PPS200MI", "LstLine", { PUNO: "1" })).toBe("PPS200MI/LstLine");
  });
});
