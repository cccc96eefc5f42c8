import { describe, expect, it } from "vitest";
import { nextWatermark, planWindow } from "../../src/sync/window.ts";

const base = {
  mode: "poll" as const,
  today: "2026-12-01",
  overlapDays: 1,
  startFrom: "now",
  prime: true,
};

describe("poll window", () => {
  it.each([
    [
      "first run from now, priming",
      { watermark: undefined },
      { since: "2026-11-30", emit: false, base: "2026-12-01" },
    ],
    [
      "first run from now, no priming",
      { watermark: undefined, prime: false },
      { since: undefined, emit: false, base: "2026-12-01" },
    ],
    [
      "first run from a date",
      { watermark: undefined, startFrom: "2026-10-01" },
      { since: "2026-10-01", emit: true, base: "2026-10-01" },
    ],
    [
      "regular poll re-reads the overlap",
      { watermark: "2026-11-28" },
      { since: "2026-11-27", emit: true, base: "2026-11-28" },
    ],
    [
      "wider overlap for a skewed ERP",
      { watermark: "2026-11-28", overlapDays: 3 },
      { since: "2026-11-25", emit: true, base: "2026-11-28" },
    ],
    [
      "overlap 0 re-reads the watermark day only",
      { watermark: "2026-03-01", overlapDays: 0 },
      { since: "2026-03-01", emit: true, base: "2026-03-01" },
    ],
    [
      "backfill",
      { mode: "backfill" as const, watermark: "2026-11-28", since: "2025-01-01" },
      { since: "2025-01-01", emit: true, base: "2026-11-28" },
    ],
  ])("%s", (_name, over, expected) => {
    expect(planWindow({ ...base, ...over })).toEqual(expected);
  });

  it("moves the watermark to the latest change seen, never back, never far ahead", () => {
    expect(nextWatermark("2026-11-28", "2026-11-30", "2026-12-01")).toBe("2026-11-30");
    expect(nextWatermark("2026-11-28", "2026-11-02", "2026-12-01")).toBe("2026-11-28");
    expect(nextWatermark("2026-11-28", undefined, "2026-12-01")).toBe("2026-11-28");
    expect(nextWatermark("2026-11-28", "2026-12-02", "2026-12-01")).toBe("2026-12-02");
    expect(nextWatermark("2026-11-28", "2031-01-01", "2026-12-01")).toBe("2026-12-02");
    expect(nextWatermark("2026-02-28", "2026-03-05", "2026-02-28")).toBe("2026-03-01");
  });
});
