import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { CarriedRanges } from "../../src/infor/m3/carried-ranges.ts";
import { TableReader } from "../../src/infor/m3/table-reader.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * An import's pages ask for their POs' lines and receipts in rising PO ranges. Read by key
 * continuation, each range ends on a part page and the next starts with a request of its own;
 * read on past the range's end, the rows past it serve the next range. The rows must be exactly
 * those of plain range reads.
 */
let s: InforSim;
let client: ReturnType<typeof simClient>;
let selects = 0;
let rowsRead = 0;
let chunks: string[][] = [];
const PAGE = 40;

beforeAll(async () => {
  s = await sim({ data: { invoices: 20, purchaseOrders: 160 } });
  client = simClient(s);
  const execute = client.mi.execute.bind(client.mi);
  client.mi.execute = (program, transaction, inputs = {}, options = {}) => {
    if (program === "EXPORTMI" && transaction === "Select") selects++;
    return execute(program, transaction, inputs, options).then((r) => {
      rowsRead += r.records.length;
      return r;
    });
  };
  const pos = (await new TableReader(client.mi, "100").all("MPHEAD", []))
    .map((r) => r.PUNO ?? "")
    .sort();
  const size = Math.ceil(pos.length / 5);
  chunks = Array.from({ length: 5 }, (_, i) => pos.slice(i * size, (i + 1) * size));
});

afterAll(async () => {
  await client.close();
  await s.close();
});

async function plain(table: "MPLINE" | "MPLIND") {
  const reader = new TableReader(client.mi, "100");
  selects = 0;
  const out = [];
  for (const c of chunks)
    out.push(await reader.range(table, "PUNO", c[0] ?? "", c.at(-1) ?? "", false, [], c, PAGE));
  return { out, selects };
}

async function carried(table: "MPLINE" | "MPLIND", now: () => number = Date.now) {
  const ranges = new CarriedRanges(new TableReader(client.mi, "100"), now, PAGE);
  selects = 0;
  const out = [];
  for (const c of chunks)
    out.push(await ranges.range(table, "PUNO", c[0] ?? "", c.at(-1) ?? "", c));
  return { out, selects };
}

describe("PO lines and receipts for rising PO ranges", () => {
  it("are the plain range reads' rows, in fewer requests", async () => {
    for (const table of ["MPLINE", "MPLIND"] as const) {
      const a = await plain(table);
      const b = await carried(table);
      expect([...(a.out[0]?.keys() ?? [])].length).toBeGreaterThan(10);
      expect(b.out).toEqual(a.out);
      expect(b.selects).toBeLessThan(a.selects);
    }
  });

  it("are read afresh when the carried rows are older than 30 s, or the range starts before them", async () => {
    let t = 0;
    const late = await carried("MPLINE", () => (t += 31_000));
    const a = await plain("MPLINE");
    expect(late.out).toEqual(a.out);
    expect(late.selects).toBe(a.selects);

    const ranges = new CarriedRanges(new TableReader(client.mi, "100"), Date.now, PAGE);
    const [c0, c1] = chunks as [string[], string[]];
    await ranges.range("MPLINE", "PUNO", c1[0] ?? "", c1.at(-1) ?? "", c1);
    const back = await ranges.range("MPLINE", "PUNO", c0[0] ?? "", c0.at(-1) ?? "", c0);
    expect(back).toEqual(a.out[0]);
  });

  it("wait for the range before them still being read, to start from its rows", async () => {
    const a = await plain("MPLIND");
    const ranges = new CarriedRanges(new TableReader(client.mi, "100"), Date.now, PAGE);
    selects = 0;
    const out = await Promise.all(
      chunks.map((c) => ranges.range("MPLIND", "PUNO", c[0] ?? "", c.at(-1) ?? "", c)),
    );
    expect(out).toEqual(a.out);
    expect(selects).toBeLessThan(a.selects);
  });

  it("read no rows past a range that fits one page (a lookup of one PO)", async () => {
    const po = chunks[1]?.[3] ?? "";
    const reader = new TableReader(client.mi, "100");
    rowsRead = 0;
    const want = await reader.range("MPLIND", "PUNO", po, po, false, [], [po], PAGE);
    const alone = rowsRead;
    rowsRead = 0;
    const got = await new CarriedRanges(reader, Date.now, PAGE).range("MPLIND", "PUNO", po, po, [
      po,
    ]);
    expect(got).toEqual(want);
    expect(rowsRead).toBe(alone);
  });
});
