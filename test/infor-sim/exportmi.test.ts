import { describe, expect, it } from "vitest";
import { parseQuery } from "../../sandbox/infor-sim/m3/query.ts";
import { records, simPerFile, type V2Body, v2 } from "./helpers.ts";

const file = simPerFile();

async function select(
  qery: string,
  extra = "&SEPC=;",
): Promise<{ status: number; repl: string[]; body: V2Body }> {
  const { status, body } = await file.api.json<V2Body>(
    v2("EXPORTMI", "Select", `?maxrecs=0&QERY=${encodeURIComponent(qery)}${extra}`),
  );
  return { status, repl: records(body).map((r) => r.REPL ?? ""), body };
}

describe("EXPORTMI query parser", () => {
  it("parses columns, table, and/or conditions with literals and columns", () => {
    const q = parseQuery(
      "IBPUNO, IBPNLI from MPLINE where IBORQA > IBRVQA and IBPUNO >= '1000002' or IBLMDT = 20261130",
    );
    expect(q.columns).toEqual(["IBPUNO", "IBPNLI"]);
    expect(q.table).toBe("MPLINE");
    expect(q.where).toHaveLength(2);
    expect(q.where[0]?.[0]).toEqual({
      column: "IBORQA",
      op: ">",
      value: { kind: "column", name: "IBRVQA" },
    });
    expect(q.where[0]?.[1]?.value).toEqual({ kind: "literal", text: "1000002", numeric: false });
    expect(q.where[1]?.[0]?.value).toEqual({ kind: "literal", text: "20261130", numeric: true });
  });

  it("reads doubled quotes inside literals and count(#)", () => {
    expect(
      parseQuery("IDSUNO from CIDMAS where IDSUNM = 'O''Brien Freight Ltd'").where[0]?.[0]?.value,
    ).toMatchObject({ text: "O'Brien Freight Ltd" });
    expect(parseQuery("count(#) from FAPIBH").count).toBe(true);
  });

  it("rejects what it does not support", () => {
    expect(() => parseQuery("IDSUNO from CIDMAS order by IDSUNO")).toThrow(/not supported/);
    expect(() => parseQuery("IDSUNO CIDMAS")).toThrow(/from/);
    expect(() => parseQuery("IDSUNO from CIDMAS where IDSUNO = 'x")).toThrow(/unterminated/);
    expect(() => parseQuery(`IDSUNO from CIDMAS where IDSUNM = '${"x".repeat(990)}'`)).toThrow(
      /982/,
    );
  });
});

describe("EXPORTMI/Select over HTTP", () => {
  it("returns one REPL per row in key order with a header row when HDRS=1", async () => {
    const { repl } = await select(
      "IDSUNO, IDSUNM from CIDMAS where IDSUNO <= '3000003'",
      "&SEPC=;&HDRS=1",
    );
    expect(repl[0]).toBe("IDSUNO;IDSUNM");
    expect(repl.slice(1).map((r) => r.split(";")[0])).toEqual(["3000001", "3000002", "3000003"]);
  });

  it("pads to column length without SEPC and prefixes names with SEPC '#'", async () => {
    const fixed = await select("IDSUNO, IDCONO from CIDMAS where IDSUNO = '3000001'", "");
    expect(fixed.repl).toEqual(["3000001   100"]);
    const named = await select("IDSUNO, IDCONO from CIDMAS where IDSUNO = '3000001'", "&SEPC=%23");
    expect(named.repl).toEqual(["IDSUNO 3000001#IDCONO 100"]);
  });

  it("filters with =, <>, <, <=, >, >=, and, or, column comparisons and quoted names", async () => {
    const all = (await select("IBPUNO, IBPNLI, IBORQA, IBRVQA from MPLINE")).repl.map((r) =>
      r.split(";"),
    );
    const notFull = (await select("IBPUNO, IBPNLI from MPLINE where IBRVQA < IBORQA")).repl;
    expect(notFull.length).toBe(all.filter(([, , o, r]) => Number(r) < Number(o)).length);
    const ge = (await select("IBPUNO from MPLINE where IBORQA >= 100 and IBORQA <= 150")).repl;
    expect(ge.length).toBe(all.filter(([, , o]) => Number(o) >= 100 && Number(o) <= 150).length);
    const or = (await select("IBPUNO from MPLINE where IBPNLI = 10 or IBPNLI > 30")).repl;
    expect(or.length).toBe(all.filter(([, l]) => l === "10" || Number(l) > 30).length);
    const ne = (await select("IBPUNO from MPLINE where IBPNLI <> 10")).repl;
    expect(ne.length).toBe(all.filter(([, l]) => l !== "10").length);
    const quoted = (await select("IDSUNO from CIDMAS where IDSUNM = 'O''Brien Freight Ltd'")).repl;
    expect(quoted).toHaveLength(1);
  });

  it("pages by key continuation without gaps or repeats", async () => {
    // Rows come in key order (CONO, DIVI, INBN): continuation must stay within one division.
    const all = (await select("E5INBN from FAPIBH where E5DIVI = 'AAA'")).repl;
    const seen: string[] = [];
    let last = "0";
    for (let guard = 0; guard < 50; guard++) {
      const { body } = await file.api.json<V2Body>(
        v2(
          "EXPORTMI",
          "Select",
          `?SEPC=;&maxrecs=7&QERY=${encodeURIComponent(`E5INBN from FAPIBH where E5DIVI = 'AAA' and E5INBN > ${last}`)}`,
        ),
      );
      const page = records(body).map((r) => r.REPL ?? "");
      seen.push(...page);
      if (page.length < 7) break;
      last = page[page.length - 1] ?? last;
    }
    expect(seen).toEqual(all);
  });

  it("starts a key range anywhere with >= and = on leading key columns", async () => {
    const all = (await select("E5DIVI, E5INBN from FAPIBH")).repl.map((r) => r.split(";"));
    const pivot = all[Math.floor(all.length / 2)]?.[1] ?? "0";
    const got = (
      await select(`E5DIVI, E5INBN from FAPIBH where E5DIVI = 'BBB' and E5INBN >= ${pivot}`)
    ).repl;
    expect(got).toEqual(
      all.filter(([d, n]) => d === "BBB" && Number(n) >= Number(pivot)).map((r) => r.join(";")),
    );
  });

  it("only returns rows of the session company and counts with count(#)", async () => {
    const c100 = (await select("IDCONO from CIDMAS")).repl;
    expect(new Set(c100)).toEqual(new Set(["100"]));
    const { body } = await file.api.json<V2Body>(
      v2(
        "EXPORTMI",
        "Select",
        `?cono=200&SEPC=;&QERY=${encodeURIComponent("count(#) from CIDMAS")}`,
      ),
    );
    expect(records(body)[0]?.REPL).toBe("12");
  });

  it("cuts REPL at 3985 characters", async () => {
    file.sim.control.upsert("supplier", { CONO: 100, SUNO: "9999999", SUNM: "y".repeat(5000) });
    const { repl } = await select("IDSUNO, IDSUNM from CIDMAS where IDSUNO = '9999999'");
    expect(repl[0]?.length).toBe(3985);
  });

  it("reports unknown tables, columns and bad syntax as MI errors", async () => {
    const table = await select("XXFOO from NOSUCH");
    expect(table.status).toBe(400);
    expect(table.body.results[0]?.errorField).toBe("QERY");
    expect((await select("IDNOPE from CIDMAS")).body.results[0]?.errorMessage).toContain("IDNOPE");
    expect((await select("IDSUNO from CIDMAS where")).status).toBe(400);
  });

  it("lists a table's fields with LstFields", async () => {
    const { body } = await file.api.json<V2Body>(v2("EXPORTMI", "LstFields", "?FILE=FPLEDG"));
    expect(records(body).map((r) => r.FLDN)).toContain("EPTRCD");
  });
});
