import { describe, expect, it } from "vitest";
import { poRanges } from "../../src/infor/m3-source.ts";

describe("PO numbers cut into key ranges", () => {
  it("keeps a dense run of numeric PO numbers in one range, whatever its length", () => {
    const dense = Array.from({ length: 950 }, (_, i) => String(4_500_000 + i * 2));
    expect(poRanges(dense)).toEqual([dense]);
  });

  it("starts a new range across a gap of more than 100 numbers", () => {
    expect(poRanges(["1000001", "1000101", "1000202", "1000203"])).toEqual([
      ["1000001", "1000101"],
      ["1000202", "1000203"],
    ]);
  });

  it("never bridges numbers of different lengths (string order is not number order)", () => {
    expect(poRanges(["10", "100", "101"])).toEqual([["10"], ["100", "101"]]);
  });

  it("cuts non-numeric PO numbers into chunks of 100", () => {
    const names = Array.from({ length: 250 }, (_, i) => `PO-${String(i).padStart(4, "0")}`);
    expect(poRanges(names).map((r) => r.length)).toEqual([100, 100, 50]);
    expect(poRanges([])).toEqual([]);
  });
});
