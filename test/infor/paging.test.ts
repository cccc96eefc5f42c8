import type { MockAgent } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InforHttpClient } from "../../src/infor/http/client.ts";
import { IdoClient, normalizeItem } from "../../src/infor/ido/ido-client.ts";
import { buildQuery, exportSelect, lastPast, splitRepl } from "../../src/infor/m3/exportmi.ts";
import { MiClient } from "../../src/infor/m3/mi-client.ts";
import { listPages } from "../../src/infor/m3/paging.ts";
import { API_ORIGIN, FakeClock, mockAgent } from "./helpers.ts";

let agent: MockAgent;

beforeEach(() => {
  agent = mockAgent();
});
afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function http() {
  return new InforHttpClient({
    apiBase: `${API_ORIGIN}/ACME_TST`,
    tokens: { getToken: async () => "T", onUnauthorized: async () => "T" },
    dispatcher: agent,
    clock: new FakeClock(),
  });
}

const v2 = (records: Record<string, string>[]) =>
  JSON.stringify({ results: [{ transaction: "X", records }], nrOfFailedTransactions: 0 });

function queryOf(path: string): URLSearchParams {
  return new URL(`http://x${path}`).searchParams;
}

describe("key continuation paging (MI lists)", () => {
  it("starts the next page at the last key and drops the repeated row", async () => {
    const pool = agent.get(API_ORIGIN);
    const pages: string[] = [];
    const suppliers = ["S1", "S2", "S3", "S4", "S5"];
    pool
      .intercept({
        path: (p: string) => p.includes("/CRS620MI/LstSuppliers"),
      })
      .reply(200, (opts) => {
        pages.push(opts.path);
        const q = queryOf(opts.path);
        const from = q.get("FRSU") ?? "";
        const n = Number(q.get("maxrecs"));
        const rows = suppliers.filter((s) => s >= from).slice(0, n);
        return v2(rows.map((SUNO) => ({ SUNO })));
      })
      .times(3);
    const mi = new MiClient({ http: http(), company: "100" });
    const got: string[] = [];
    for await (const page of listPages(
      mi,
      "CRS620MI",
      "LstSuppliers",
      {},
      { keyFields: ["SUNO"], startAt: (l) => ({ FRSU: l.SUNO ?? "" }) },
      { pageSize: 2 },
    )) {
      got.push(...page.map((r) => r.SUNO ?? ""));
    }
    expect(got).toEqual(suppliers);
    expect(queryOf(pages[1] ?? "").get("FRSU")).toBe("S2");
    expect(queryOf(pages[0] ?? "").get("cono")).toBe("100");
  });

  it("fails loudly when a full page brings no new key", async () => {
    agent
      .get(API_ORIGIN)
      .intercept({ path: (p: string) => p.includes("LstX") })
      .reply(200, (o) =>
        v2(Array.from({ length: Number(queryOf(o.path).get("maxrecs")) }, () => ({ K: "A" }))),
      )
      .times(2);
    const mi = new MiClient({ http: http() });
    const run = async () => {
      for await (const _ of listPages(
        mi,
        "P",
        "LstX",
        {},
        { keyFields: ["K"], startAt: (l) => ({ K: l.K ?? "" }) },
        { pageSize: 2 },
      )) {
        // drain
      }
    };
    await expect(run()).rejects.toMatchObject({ code: "paging_stuck" });
  });
});

describe("EXPORTMI", () => {
  const q = {
    table: "MPLINE",
    columns: ["IBPUNO", "IBPNLI", "IBPNLS", "IBLNAM"],
    where: [{ col: "IBLMDT", op: ">=" as const, value: 20261101 }],
    keys: [{ col: "IBPUNO" }, { col: "IBPNLI", numeric: true }, { col: "IBPNLS", numeric: true }],
  };

  it("builds QERY with key continuation expanded without parentheses", () => {
    expect(buildQuery(q)).toBe(
      "IBPUNO, IBPNLI, IBPNLS, IBLNAM from MPLINE where IBLMDT >= 20261101",
    );
    expect(buildQuery(q, ["1000001", "20", "0"])).toBe(
      "IBPUNO, IBPNLI, IBPNLS, IBLNAM from MPLINE where IBLMDT >= 20261101 and IBPUNO > '1000001' or " +
        "IBLMDT >= 20261101 and IBPUNO = '1000001' and IBPNLI > 20 or " +
        "IBLMDT >= 20261101 and IBPUNO = '1000001' and IBPNLI = 20 and IBPNLS > 0",
    );
    expect(buildQuery({ ...q, where: [{ col: "IBSUNO", op: "=", value: "O'Brien" }] })).toContain(
      "'O''Brien'",
    );
    expect(() =>
      buildQuery({
        ...q,
        where: Array.from({ length: 60 }, () => ({
          col: "IBLMDT",
          op: ">=" as const,
          value: 20261101,
        })),
      }),
    ).toThrow(/982/);
  });

  it("ORs a conjunction to the continuation page (rows before the key ride along), never the first", async () => {
    const also = [
      { col: "IBLMDT", op: ">=" as const, value: 20261206 },
      { col: "IBPUNO", op: "<=" as const, value: "1000001" },
    ];
    expect(buildQuery(q, ["1000001", "20", "0"], also)).toMatch(
      / or IBLMDT >= 20261206 and IBPUNO <= '1000001'$/,
    );
    const rows = Array.from({ length: 5 }, (_, i) => `100000${i}|10|0|${i}.00`);
    const sent: string[] = [];
    agent
      .get(API_ORIGIN)
      .intercept({ path: (p: string) => p.includes("/EXPORTMI/Select") })
      .reply(200, (opts) => {
        const p = queryOf(opts.path);
        sent.push(p.get("QERY") ?? "");
        const after = /IBPUNO > '(\d+)'/.exec(p.get("QERY") ?? "")?.[1];
        const data = rows.filter((r) => !after || (r.split("|")[0] ?? "") > after).slice(0, 2);
        return v2(data.map((REPL) => ({ REPL })));
      })
      .times(3);
    const mi = new MiClient({ http: http() });
    let taken = 0;
    const long = Array.from({ length: 40 }, () => also[0] as (typeof also)[0]);
    let asked = 0;
    const options = {
      pageSize: 2,
      // Page 2 carries it; page 3's would pass QERY's 982 characters: sent without it.
      also: () =>
        ++asked === 1
          ? { where: also, taken: () => taken++ }
          : { where: long, taken: () => taken++ },
    };
    for await (const _ of exportSelect(mi, q, options));
    expect(asked).toBe(2);
    expect(taken).toBe(1);
    expect(sent[0]).not.toContain("20261206");
    expect(sent[1]).toContain(" or IBLMDT >= 20261206 and IBPUNO <= '1000001'");
    expect(sent[2]).not.toContain("20261206");
  });

  it("splits REPL by SEPC, strips prefixes, flags a row with the wrong column count", () => {
    expect(splitRepl("1000001|10|0| 12.50", q.columns, "|")).toEqual({
      PUNO: "1000001",
      PNLI: "10",
      PNLS: "0",
      LNAM: "12.50",
    });
    expect(splitRepl("1|2|3|4|5", q.columns, "|")._ROW_ERROR).toMatch(/expected 4/);
  });

  it("honours the header row and pages by key", async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `100000${i}|10|0|${i}.00`);
    const calls: URLSearchParams[] = [];
    agent
      .get(API_ORIGIN)
      .intercept({ path: (p: string) => p.includes("/EXPORTMI/Select") })
      .reply(200, (opts) => {
        const p = queryOf(opts.path);
        calls.push(p);
        const after = /IBPUNO > '(\d+)'/.exec(p.get("QERY") ?? "")?.[1];
        const n = Number(p.get("maxrecs"));
        const data = rows.filter((r) => !after || (r.split("|")[0] ?? "") > after).slice(0, n);
        const header = p.get("HDRS") === "1" ? ["IBPUNO|IBPNLI|IBPNLS|IBLNAM"] : [];
        return v2([...header, ...data].map((REPL) => ({ REPL })));
      })
      .times(3);
    const mi = new MiClient({ http: http() });
    const got: string[] = [];
    for await (const page of exportSelect(mi, q, { pageSize: 2 }))
      got.push(...page.map((r) => `${r.PUNO}:${r.LNAM}`));
    expect(got).toEqual([
      "1000000:0.00",
      "1000001:1.00",
      "1000002:2.00",
      "1000003:3.00",
      "1000004:4.00",
    ]);
    expect(calls.map((c) => c.get("HDRS"))).toEqual(["1", "0", "0"]);
    expect(calls[0]?.get("SEPC")).toBe("|");
  });
});

describe("EXPORTMI continuation past rows an `also` brought", () => {
  it("is the last row after the old key, by each key column's own order", () => {
    const keys = [{ col: "E5DIVI" }, { col: "E5INBN", numeric: true }];
    const rows = [
      { DIVI: "AAA", INBN: "95" },
      { DIVI: "AAA", INBN: "100" },
      { DIVI: "AAA", INBN: "120" },
      { DIVI: "AAA", INBN: "99" },
    ];
    // 100 and 120 lie past 99 as numbers (as text "99" sorts after both).
    expect(lastPast(rows, ["AAA", "99"], keys)).toEqual({ DIVI: "AAA", INBN: "120" });
    expect(lastPast(rows.slice(0, 1), ["AAA", "99"], keys)).toBeUndefined();
    expect(lastPast([{ DIVI: "BBB", INBN: "1" }], ["AAA", "99"], keys)).toEqual({
      DIVI: "BBB",
      INBN: "1",
    });
    expect(lastPast([{ DIVI: "AAA", INBN: "99" }], ["AAA", "99"], keys)).toBeUndefined();
  });
});

describe("IDO load", () => {
  it("normalizes flat, Name/Value and positional items", () => {
    const props = ["VendNum", "Name"];
    expect(normalizeItem({ VendNum: "0000001", Name: "Acme", _ItemId: "x" }, props)).toMatchObject({
      VendNum: "0000001",
      Name: "Acme",
    });
    expect(
      normalizeItem(
        [
          { Name: "VendNum", Value: "0000001" },
          { Name: "Name", Value: null },
        ],
        props,
      ),
    ).toEqual({ VendNum: "0000001", Name: "" });
    expect(normalizeItem(["0000001", "Acme"], props)).toEqual({ VendNum: "0000001", Name: "Acme" });
    expect(normalizeItem(42, props)).toBeUndefined();
  });

  it("follows the bookmark with loadtype=NEXT while MoreRowsExist", async () => {
    const seen: URLSearchParams[] = [];
    const pool = agent.get(API_ORIGIN);
    const bm = "<B><P><p>VendNum</p></P><D><f>false</f></D><F><v>1</v></F><L><v>2</v></L></B>";
    pool
      .intercept({
        path: (p: string) => p.startsWith("/ACME_TST/CSI/IDORequestService/ido/load/SLVendors"),
        headers: { "x-infor-mongooseconfig": "ACME_SITE" },
      })
      .reply(200, (o) => {
        seen.push(queryOf(o.path));
        return JSON.stringify({
          Items: [{ VendNum: "1" }, { VendNum: "2" }],
          Bookmark: bm,
          MoreRowsExist: true,
          Success: true,
          Message: null,
        });
      });
    pool.intercept({ path: (p: string) => p.includes("loadtype=NEXT") }).reply(200, (o) => {
      seen.push(queryOf(o.path));
      return JSON.stringify({
        Items: [[{ Name: "VendNum", Value: "3" }]],
        Bookmark: "<B/>",
        MoreRowsExist: false,
        Success: true,
      });
    });
    const ido = new IdoClient(http(), "ACME_SITE");
    const got: string[] = [];
    for await (const page of ido.load("SLVendors", { properties: ["VendNum"], pageSize: 2 }))
      got.push(...page.map((i) => i.VendNum ?? ""));
    expect(got).toEqual(["1", "2", "3"]);
    expect(seen[1]?.get("bookmark")).toBe(bm);
    expect(seen[0]?.get("recordcap")).toBe("2");
  });

  it("Success:false is a typed business error", async () => {
    agent
      .get(API_ORIGIN)
      .intercept({ path: (p: string) => p.includes("/ido/load/") })
      .reply(200, JSON.stringify({ Success: false, Message: "IllegalFilterException" }));
    const ido = new IdoClient(http(), "C");
    await expect(ido.loadPage("SLVendors", { properties: ["VendNum"] })).rejects.toMatchObject({
      code: "ido_business",
      ido: "SLVendors",
    });
  });
});
