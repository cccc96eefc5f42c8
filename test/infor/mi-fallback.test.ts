import { describe, expect, it } from "vitest";
import type { MiClient, MiRecord } from "../../src/infor/m3/mi-client.ts";
import { filterFallbacks, filterRows, sortByKeys } from "../../src/infor/m3/mi-list-fallback.ts";

/** Records every call; answers nothing. */
function recorder() {
  const calls: Array<{ program: string; transaction: string; inputs: Record<string, unknown> }> =
    [];
  const mi = {
    async execute(program: string, transaction: string, inputs: Record<string, unknown>) {
      calls.push({ program, transaction, inputs });
      return { records: [] as MiRecord[], requestId: "r" };
    },
  } as unknown as MiClient;
  return { mi, calls };
}

describe("MI list fallbacks", () => {
  it("GL by change date reads contiguous 31-day accounting-date windows around it", async () => {
    const { mi, calls } = recorder();
    const gl = filterFallbacks({ today: () => 20261207 }).FGLEDG;
    await gl?.read(
      mi,
      [
        { col: "LMDT", op: ">=", value: 20261130 },
        { col: "DIVI", op: "=", value: "AAA" },
      ],
      { company: "100", division: "" },
    );
    const windows = calls.map((c) => [Number(c.inputs.FRDT), Number(c.inputs.TODT)]);
    // 62 days before the change date .. 62 days after today.
    expect(windows[0]?.[0]).toBe(20260929);
    expect(windows.at(-1)?.[1]).toBe(20270207);
    for (let i = 1; i < windows.length; i++) {
      const prevEnd = new Date(
        String(windows[i - 1]?.[1]).replace(/(\d{4})(\d\d)(\d\d)/, "$1-$2-$3"),
      );
      const next = new Date(prevEnd.getTime() + 86_400_000).toISOString().slice(0, 10);
      expect(String(windows[i]?.[0])).toBe(next.replaceAll("-", ""));
    }
    expect(calls.every((c) => c.inputs.DIVI === "AAA")).toBe(true);
  });

  it("GL by accounting date reads exactly that window; no bound at all is refused", async () => {
    const { mi, calls } = recorder();
    const gl = filterFallbacks().FGLEDG;
    await gl?.read(
      mi,
      [
        { col: "ACDT", op: ">=", value: 20261101 },
        { col: "ACDT", op: "<=", value: 20261130 },
      ],
      { company: "100", division: "AAA" },
    );
    expect(calls.map((c) => [c.inputs.FRDT, c.inputs.TODT])).toEqual([["20261101", "20261130"]]);
    await expect(gl?.read(mi, [], { company: "100", division: "AAA" })).rejects.toThrow(
      "needs a change-date or accounting-date bound",
    );
  });

  it("rows are filtered as EXPORTMI's where would and ordered by the table keys", () => {
    const rows: MiRecord[] = [
      { DIVI: "AAA", YEA4: "2026", JRNO: "10", JSNO: "2", LMDT: "20261201", AIT1: "6100" },
      { DIVI: "AAA", YEA4: "2026", JRNO: "9", JSNO: "1", LMDT: "20261130", AIT1: "6100" },
      { DIVI: "AAA", YEA4: "2026", JRNO: "10", JSNO: "1", LMDT: "20261129", AIT1: "6100" },
      { DIVI: "BBB", YEA4: "2026", JRNO: "1", JSNO: "1", LMDT: "20261201", AIT1: "6100" },
    ];
    const kept = filterRows(rows, [
      { col: "LMDT", op: ">=", value: 20261130 },
      { col: "DIVI", op: "=", value: "AAA" },
    ]);
    const keys = [
      { col: "EGDIVI" },
      { col: "EGYEA4", numeric: true },
      { col: "EGJRNO", numeric: true },
      { col: "EGJSNO", numeric: true },
    ];
    // JRNO 9 before 10: numeric keys compare as numbers, not text.
    expect(sortByKeys(kept, keys).map((r) => `${r.JRNO}-${r.JSNO}`)).toEqual(["9-1", "10-2"]);
  });
});
