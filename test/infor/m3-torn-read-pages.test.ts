import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import type { SupplierInvoice } from "../../src/infor/records.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * The heads' second read after their lines (against torn batches, m3-torn-read.test.ts) rides
 * along with the listing's next page: the page's heads changed since it was read come back in
 * key order ahead of the next page's own. Here a batch on an early page (not the last) changes
 * exactly between its head read and its line read, on a listing of batches entered days ago:
 * it must come back whole, and the heads are read little more than once.
 */
let s: InforSim;
let client: ReturnType<typeof simClient>;
let onLines: ((from: number, to: number) => void) | undefined;
let headReads = 0;

beforeAll(async () => {
  s = await sim();
  client = simClient(s);
  const execute = client.mi.execute.bind(client.mi);
  client.mi.execute = (program, transaction, inputs = {}, options = {}) => {
    const q = String(inputs.QERY ?? "");
    if (program === "EXPORTMI" && / from FAPIBH where /.test(q)) headReads++;
    const range = / from FAPIBL where .*E6INBN >= (\d+) and E6INBN <= (\d+)/.exec(q);
    if (program === "EXPORTMI" && range) onLines?.(Number(range[1]), Number(range[2]));
    return execute(program, transaction, inputs, options);
  };
});

afterAll(async () => {
  await client.close();
  await s.close();
});

/** One invoice batch of company 100's first active EUR supplier in AAA; its batch number. */
function enterBatch(sino: string, fields: Record<string, string> = {}): number {
  const supplier = s.control
    .data()
    .suppliers.find((x) => x.cono === 100 && x.stat === "20" && x.cucd === "EUR");
  if (!supplier) throw new Error("no EUR supplier in company 100");
  const { inbn } = s.control.upsert("invoice", {
    SUNO: supplier.suno,
    SINO: sino,
    CUAM: "745.45",
    DIVI: "AAA",
    AIT1: "4010",
    ...fields,
  }) as { inbn: number };
  return inbn;
}

/**
 * The M3 source of company 100 (`division` "" for every division) on the simulator's clock, or
 * `aheadMs` ahead of it (an ERP whose date is behind ours).
 */
function sourceOf(division = "AAA", aheadMs = 0) {
  return createM3Source(client.mi, {
    tenant: s.tenant,
    company: "100",
    division,
    now: () => s.control.advanceClock(0).getTime() + aheadMs,
  });
}

async function tornEarlyPage(division: string, sino: string, aheadMs = 0) {
  const entered = new Date(s.control.advanceClock(0)).toISOString().slice(0, 10);
  const inbns = Array.from({ length: 30 }, (_, i) => enterBatch(`${sino}-${i}`));
  // Entered three days ago: a head read now and not changed since is not read again.
  s.control.advanceClock(3 * 86_400);
  let changed: number | undefined;
  onLines = (from, to) => {
    const target = inbns.find((n) => n >= from && n <= to);
    if (changed !== undefined || target === undefined || to >= Math.max(...inbns)) return;
    changed = target;
    s.control.upsert("invoice", { INBN: String(target), CUAM: "1645.50" });
  };
  const src = sourceOf(division, aheadMs);
  headReads = 0;
  const found = new Map<number, SupplierInvoice>();
  let pages = 0;
  for await (const b of src.listChanged("supplier_invoice", entered, { pageSize: 5 })) {
    pages++;
    for (const r of b.records as SupplierInvoice[])
      if (r.division === "AAA") found.set(Number(r.batchNumber), r);
  }
  onLines = undefined;

  expect(changed).toBeDefined(); // the change did happen inside an early page's read
  const inv = found.get(changed as number) as SupplierInvoice;
  expect(inv.total.amount).toBe("1645.5");
  expect(inv.lines.map((l) => l.amount.amount)).toEqual(["1645.5"]);
  for (const n of inbns.filter((x) => x !== changed))
    expect(found.get(n)?.total.amount).toBe("745.45");
  expect(pages).toBeGreaterThanOrEqual(6);
  return { pages };
}

describe("a batch on an early page changed between its head read and its line read", () => {
  it("comes back as one state of the batch, its page's second read riding on the next page", async () => {
    const { pages } = await tornEarlyPage("AAA", "PAGES");
    // The listing's pages, one read more at the end, and one for the moved head once its lines
    // were read again: not two reads per page.
    expect(headReads).toBeLessThanOrEqual(pages + 3);
  });

  it("comes back whole from a listing of every division (a second read of its own per page)", async () => {
    await tornEarlyPage("", "ALLDIV");
  });

  it("comes back whole when the ERP's date is days behind ours", async () => {
    await tornEarlyPage("AAA", "BEHIND", 5 * 86_400_000);
  });
});

describe("a batch whose lines were read with the page before its own", () => {
  it("comes back whole when it changes right after that read", async () => {
    const entered = new Date(s.control.advanceClock(0)).toISOString().slice(0, 10);
    const inbns = Array.from({ length: 30 }, (_, i) => enterBatch(`CARRY-${i}`));
    s.control.advanceClock(3 * 86_400);
    // Three changed since: their second read takes room in the listing's next answer, so the
    // listing runs ahead of the pages and a page's lines are read on into the next page.
    for (const n of inbns.slice(0, 3))
      s.control.upsert("invoice", { INBN: String(n), CUAM: "745.45", AIT2: "X" });
    let changed: number | undefined;
    onLines = (from, to) => {
      const mine = inbns.filter((n) => n >= from && n <= to);
      // A read over more than a page of heads (5): its last batch belongs to the next page.
      if (changed !== undefined || mine.length <= 5 || !inbns.includes(to)) return;
      changed = to;
      s.control.upsert("invoice", { INBN: String(to), CUAM: "1645.50" });
    };
    const src = sourceOf();
    const found = new Map<number, SupplierInvoice>();
    for await (const b of src.listChanged("supplier_invoice", entered, { pageSize: 5 }))
      for (const r of b.records as SupplierInvoice[]) found.set(Number(r.batchNumber), r);
    onLines = undefined;

    expect(changed).toBeDefined(); // a page's lines were read on into the next page's batches
    const inv = found.get(changed as number) as SupplierInvoice;
    expect(inv.total.amount).toBe("1645.5");
    expect(inv.lines.map((l) => l.amount.amount)).toEqual(["1645.5"]);
  });
});

describe("linesAfterHead", () => {
  it("is true only for a line dated after its head", async () => {
    const { linesAfterHead } = await import("../../src/infor/m3-invoice-heads.ts");
    const head = { LMDT: "20261201" };
    expect(linesAfterHead(head, [{ LMDT: "20261201" }, { LMDT: "20261203" }])).toBe(true);
    expect(linesAfterHead(head, [{ LMDT: "20261201" }, { LMDT: "20261130" }])).toBe(false);
    expect(linesAfterHead(head, [{ LMDT: "" }])).toBe(false);
    expect(linesAfterHead({ LMDT: "" }, [{ LMDT: "20261203" }])).toBe(false);
    expect(linesAfterHead(head, undefined)).toBe(false);
  });
});

describe("changedSinceDate", () => {
  it("is the UTC date a day before: a change after the read is dated no earlier in any zone", async () => {
    const { changedSinceDate } = await import("../../src/infor/m3-invoice-heads.ts");
    // 00:30 UTC is still the 6th in UTC-1 (and the 7th in UTC+14).
    expect(changedSinceDate(Date.parse("2026-12-07T00:30:00Z"))).toBe(20261206);
    expect(changedSinceDate(Date.parse("2026-01-01T23:59:00Z"))).toBe(20251231);
  });
});

describe("a listing whose page's second read fills a whole answer", () => {
  it("lists each batch once, in order, every one with its lines", async () => {
    const entered = new Date(s.control.advanceClock(0)).toISOString().slice(0, 10);
    const inbns: number[] = [];
    const enter = (i: number) =>
      inbns.push(enterBatch(`WHOLE-${i}`, { CUAM: `${100 + i}.00`, AIT2: `CC${i}` }));
    // Three batches entered days ago, then twenty today. The first page's second read finds
    // only its two of today, so the listing runs ahead of the pages; every later page is all of
    // today, and its second read (heads changed since the day before) fills an answer alone.
    for (let i = 0; i < 3; i++) enter(i);
    s.control.advanceClock(3 * 86_400);
    for (let i = 3; i < 23; i++) enter(i);
    const src = sourceOf();
    const listed: number[] = [];
    const noLines: number[] = [];
    for await (const b of src.listChanged("supplier_invoice", entered, { pageSize: 5 })) {
      for (const r of b.records as SupplierInvoice[]) {
        const n = Number(r.batchNumber);
        if (!inbns.includes(n)) continue;
        listed.push(n);
        if (r.lines.length === 0 || r.costCenter === undefined) noLines.push(n);
      }
    }
    expect(noLines).toEqual([]);
    expect(listed).toEqual(inbns);
  });
});

describe("a page's second read with more heads changed than an answer holds", () => {
  it("is asked to the end: a batch past the answer that moved after its head read comes back whole", async () => {
    const enter = (sino: string) => enterBatch(sino);
    // B1 B2 X B3 … B10 entered together; days later all but X change, and the listing asks
    // for changes since then: X is inside the first page's range without being listed.
    const b = [enter("PAST-1"), enter("PAST-2")];
    const x = enter("PAST-X");
    for (let i = 3; i <= 10; i++) b.push(enter(`PAST-${i}`));
    s.control.advanceClock(3 * 86_400);
    const since = new Date(s.control.advanceClock(0)).toISOString().slice(0, 10);
    for (const n of b) s.control.upsert("invoice", { INBN: String(n), CUAM: "745.45", AIT2: "Y" });
    const b5 = b[4] as number;
    let done = false;
    onLines = (from, to) => {
      // Between the first page's head read and its line read: X changes (now in the page's
      // second read too: six heads for an answer of five) and B5 moves (a torn read unless its
      // move is seen).
      if (done || from > b5 || to < b5) return;
      done = true;
      s.control.upsert("invoice", { INBN: String(x), CUAM: "745.45", AIT2: "Y" });
      s.control.upsert("invoice", { INBN: String(b5), CUAM: "1645.50" });
    };
    const src = sourceOf();
    const found = new Map<number, SupplierInvoice>();
    for await (const batch of src.listChanged("supplier_invoice", since, { pageSize: 5 }))
      for (const r of batch.records as SupplierInvoice[]) found.set(Number(r.batchNumber), r);
    onLines = undefined;
    expect(done).toBe(true);
    const inv = found.get(b5) as SupplierInvoice;
    expect(inv.lines.map((l) => l.amount.amount)).toEqual([inv.total.amount]);
    expect(inv.total.amount).toBe("1645.5");
  });
});
