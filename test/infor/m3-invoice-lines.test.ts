import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { Predicate } from "../../src/infor/m3/exportmi.ts";
import type { MiRecord } from "../../src/infor/m3/mi-client.ts";
import { TableReader } from "../../src/infor/m3/table-reader.ts";
import { LineStream } from "../../src/infor/m3-invoice-lines.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * An import's invoice lines are one stream over batch numbers: a page's lines read on into the
 * batches the listing already brought past the page, so pages' lines do not each end on a part
 * page. The lines must be exactly those of a range read per page.
 */
let s: InforSim;
let client: ReturnType<typeof simClient>;
let lineReads = 0;
const divi: Predicate[] = [{ col: "DIVI", op: "=", value: "AAA" }];
const LINES_PAGE = 10;

beforeAll(async () => {
  s = await sim({ seed: 3, data: { invoices: 200, purchaseOrders: 40 } });
  client = simClient(s);
  const execute = client.mi.execute.bind(client.mi);
  client.mi.execute = (program, transaction, inputs = {}, options = {}) => {
    if (program === "EXPORTMI" && / from FAPIBL where /.test(String(inputs.QERY ?? "")))
      lineReads++;
    return execute(program, transaction, inputs, options);
  };
});

afterAll(async () => {
  await client.close();
  await s.close();
});

describe("an import's invoice lines", () => {
  it("are the lines of a range read per page, in about as many reads as their rows fill", async () => {
    const reader = new TableReader(client.mi, "100");
    const heads = await reader.all("FAPIBH", divi);
    const pages: MiRecord[][] = [];
    for (let i = 0; i < heads.length; i += 12) pages.push(heads.slice(i, i + 12));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    const span = (p: MiRecord[]) => [p[0]?.INBN ?? "", p.at(-1)?.INBN ?? ""] as const;

    lineReads = 0;
    const plain = [];
    for (const p of pages) {
      const [lo, hi] = span(p);
      plain.push(await reader.range("FAPIBL", "INBN", lo, hi, true, divi, undefined, LINES_PAGE));
    }
    const plainReads = lineReads;

    lineReads = 0;
    const stream = new LineStream(reader, divi, LINES_PAGE);
    const streamed = [];
    for (const [i, p] of pages.entries()) {
      // The listing has brought the next page's heads by the time this page's lines are read.
      const listedTo = Number(span(pages[i + 1] ?? p)[1]);
      streamed.push(await stream.linesOf(p, listedTo));
    }
    expect(streamed).toEqual(plain);
    const rows = plain.reduce((n, m) => n + [...m.values()].flat().length, 0);
    expect(rows).toBeGreaterThan(pages.length * LINES_PAGE);
    // Page by page each page's lines end on a part page; as a stream, only the last does.
    expect(lineReads).toBeLessThanOrEqual(Math.ceil(rows / LINES_PAGE) + 1);
    expect(lineReads).toBeLessThan(plainReads);
  });

  it("reads a page that is not after the previous one afresh: no lines missing", async () => {
    const reader = new TableReader(client.mi, "100");
    const heads = await reader.all("FAPIBH", divi);
    const first = heads.slice(0, 12);
    const stream = new LineStream(reader, divi, LINES_PAGE);
    await stream.linesOf(first, Number(heads[30]?.INBN));
    // A page overlapping the first (a listing that went back): carried lines do not cover it.
    const overlap = heads.slice(6, 18);
    const got = await stream.linesOf(overlap, Number(overlap.at(-1)?.INBN));
    const lo = overlap[0]?.INBN ?? "";
    const hi = overlap.at(-1)?.INBN ?? "";
    expect(got).toEqual(await reader.range("FAPIBL", "INBN", lo, hi, true, divi));
  });
});
