import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import type { Predicate } from "../../src/infor/m3/exportmi.ts";
import { rangeKeyIsUnique, TableReader } from "../../src/infor/m3/table-reader.ts";
import { TABLES } from "../../src/infor/m3/tables.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * A key range read ends with the range: EXPORTMI pages by key continuation, so a page that comes
 * back full is followed by another request. Where each key value names one row and the page's
 * last row already holds the range's last key, that request could only come back empty (one
 * per page of an import's PO heads and invoice heads).
 */
let s: InforSim;
let client: ReturnType<typeof simClient>;
let selects = 0;
const divi: Predicate[] = [{ col: "DIVI", op: "=", value: "AAA" }];

beforeAll(async () => {
  s = await sim({ data: { invoices: 60, purchaseOrders: 40 } });
  client = simClient(s);
  const execute = client.mi.execute.bind(client.mi);
  client.mi.execute = (program, transaction, inputs = {}, options = {}) => {
    if (program === "EXPORTMI" && transaction === "Select") selects++;
    return execute(program, transaction, inputs, options);
  };
});

afterAll(async () => {
  await client.close();
  await s.close();
});

async function firstHeads(reader: TableReader, n: number) {
  for await (const page of reader.select("FAPIBH", divi, n)) return page;
  return [];
}

describe("a key range read that filled its last page", () => {
  it("stops there when the key names one row: one request for a range of exactly a page", async () => {
    const reader = new TableReader(client.mi, "100");
    const heads = await firstHeads(reader, 5);
    expect(heads).toHaveLength(5);
    const from = heads[0]?.INBN ?? "";
    const to = heads[4]?.INBN ?? "";
    selects = 0;
    const got = await reader.range("FAPIBH", "INBN", from, to, true, divi, undefined, 5);
    expect([...got.keys()]).toEqual(heads.map((h) => h.INBN));
    expect(selects).toBe(1);
  });

  it("reads on where several rows share a key (lines), and finds the same rows as one page", async () => {
    const reader = new TableReader(client.mi, "100");
    const heads = await firstHeads(reader, 5);
    const from = heads[0]?.INBN ?? "";
    const to = heads[4]?.INBN ?? "";
    const whole = await reader.range("FAPIBL", "INBN", from, to, true, divi);
    const count = [...whole.values()].reduce((n, l) => n + l.length, 0);
    expect(count).toBeGreaterThan(5);
    const paged = await reader.range("FAPIBL", "INBN", from, to, true, divi, undefined, 2);
    expect(paged).toEqual(whole);
  });
});

describe("rangeKeyIsUnique", () => {
  it("needs the range column to end the key and the others pinned by an equality", () => {
    expect(rangeKeyIsUnique(TABLES.MPHEAD, "PUNO", [])).toBe(true);
    expect(rangeKeyIsUnique(TABLES.FAPIBH, "INBN", divi)).toBe(true);
    // Without a division the same batch number can come back once per division.
    expect(rangeKeyIsUnique(TABLES.FAPIBH, "INBN", [])).toBe(false);
    expect(rangeKeyIsUnique(TABLES.FAPIBH, "INBN", [{ col: "DIVI", op: ">=", value: "A" }])).toBe(
      false,
    );
    expect(rangeKeyIsUnique(TABLES.FAPIBL, "INBN", divi)).toBe(false);
    expect(rangeKeyIsUnique(TABLES.MPLINE, "PUNO", [])).toBe(false);
  });
});
