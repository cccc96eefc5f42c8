import { describe, expect, it } from "vitest";
import { caller, records, simPerFile, startSim, type V2Body, v2 } from "./helpers.ts";

const file = simPerFile();

describe("infor-sim M3 MI REST v2", () => {
  it("returns the v2 envelope with every swagger output field as a string", async () => {
    const { status, body } = await file.api.json<V2Body>(
      v2("PPS200MI", "GetHead", "?PUNO=1000001"),
    );
    expect(status).toBe(200);
    expect(body.nrOfSuccessfullTransactions).toBe(1);
    expect(body.nrOfFailedTransactions).toBe(0);
    // The string "false" and no nrOfNotProcessedTransactions, as public captures show.
    expect(body.wasTerminated).toBe("false");
    expect(body).not.toHaveProperty("nrOfNotProcessedTransactions");
    expect(body.results[0]?.transaction).toBe("GetHead");
    const record = records(body)[0] ?? {};
    expect(Object.keys(record)).toHaveLength(63);
    for (const value of Object.values(record)) expect(typeof value).toBe("string");
    expect(record.PUNO).toBe("1000001");
    expect(record.PUDT).toMatch(/^\d{8}$/);
    expect(record.COAM).toMatch(/^-?\d+\.\d{2}$/);
  });

  it("honours returncols, excludeempty and righttrim=false (query or matrix parameters)", async () => {
    const cols = await file.api.json<V2Body>(
      v2("PPS200MI", "GetHead", ";returncols=PUNO,SUNO?PUNO=1000001"),
    );
    expect(Object.keys(records(cols.body)[0] ?? {})).toEqual(["PUNO", "SUNO"]);
    const empty = await file.api.json<V2Body>(
      v2("PPS200MI", "GetHead", "?PUNO=1000001&excludeempty=true"),
    );
    expect(Object.values(records(empty.body)[0] ?? {}).every((v) => v.trim() !== "")).toBe(true);
    const padded = await file.api.json<V2Body>(
      v2("PPS200MI", "GetHead", "?PUNO=1000001&righttrim=false&returncols=PUNO,CUCD"),
    );
    expect(records(padded.body)[0]).toEqual({
      PUNO: "1000001   ",
      CUCD: expect.stringMatching(/^[A-Z]{3}$/),
    });
  });

  it("reports a business error as HTTP 400 with the error in results[0] by default", async () => {
    const { status, body } = await file.api.json<V2Body>(v2("PPS200MI", "GetHead", "?PUNO=NOPE"));
    expect(status).toBe(400);
    expect(body.nrOfFailedTransactions).toBe(1);
    expect(body.results[0]).toMatchObject({
      errorField: "PUNO",
      errorCode: "XRE0103",
      errorType: "ServerReturnedNOK",
      records: [],
    });
  });

  it("can report errors at the top level or with HTTP 200, as tenants differ", async () => {
    file.sim.control.configure({ m3ErrorStyle: "top400" });
    const top = await file.api.json<V2Body>(v2("PPS200MI", "GetHead", "?PUNO=NOPE"));
    expect(top.status).toBe(400);
    expect(top.body.errorMessage).toContain("NOPE");
    file.sim.control.configure({ m3ErrorStyle: "results200" });
    const ok = await file.api.json<V2Body>(v2("PPS200MI", "GetHead", "?PUNO=NOPE"));
    expect(ok.status).toBe(200);
    expect(ok.body.nrOfFailedTransactions).toBe(1);
    file.sim.control.configure({ m3ErrorStyle: "results400" });
  });

  it("echoes inputs with extendedresult=true and refuses date formats it does not serve", async () => {
    const echoed = await file.api.json<{ results: Array<{ parameters?: Record<string, string> }> }>(
      v2("PPS200MI", "GetHead", "?PUNO=1000001&extendedresult=true"),
    );
    expect(echoed.body.results[0]?.parameters).toEqual({ PUNO: "1000001" });
    const dmy = await file.api.json<V2Body>(
      v2("PPS200MI", "GetHead", "?PUNO=1000001&dateformat=DMY6"),
    );
    expect(dmy.status).toBe(400);
    expect(dmy.body.results[0]?.errorField).toBe("dateformat");
  });

  it("validates mandatory and too-long inputs", async () => {
    const missing = await file.api.json<V2Body>(v2("PPS200MI", "GetHead"));
    expect(missing.body.results[0]?.errorType).toBe("MandatoryInputFieldNotFound");
    const long = await file.api.json<V2Body>(v2("PPS200MI", "GetHead", "?PUNO=12345678901"));
    expect(long.body.results[0]?.errorType).toBe("InputFieldTooLong");
  });

  it("answers an unknown program or transaction with a bare 400", async () => {
    const res = await file.api.get(v2("PPS200MI", "NoSuchTrans"));
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("");
    expect((await file.api.get(v2("XXX999MI", "Get"))).status).toBe(400);
  });

  it("pages LstSuppliers by key continuation (FRSU inclusive) and defaults maxrecs to 100", async () => {
    const all = records(
      (await file.api.json<V2Body>(v2("CRS620MI", "LstSuppliers", "?CONO=100&maxrecs=0"))).body,
    );
    expect(all.length).toBe(12);
    const seen: string[] = [];
    let from = "";
    for (let guard = 0; guard < 20; guard++) {
      const page = records(
        (
          await file.api.json<V2Body>(
            v2("CRS620MI", "LstSuppliers", `;maxrecs=5?CONO=100&FRSU=${from}`),
          )
        ).body,
      );
      const fresh = page.filter((r) => !seen.includes(r.SUNO ?? ""));
      seen.push(...fresh.map((r) => r.SUNO ?? ""));
      if (page.length < 5) break;
      from = page[page.length - 1]?.SUNO ?? "";
    }
    expect(seen).toEqual(all.map((r) => r.SUNO));
  });

  it("returns at most 100 records when maxrecs is not given", async () => {
    const big = await startSim({
      data: { suppliersPerCompany: 5, purchaseOrders: 5, invoices: 300, manualVouchers: 0 },
    });
    try {
      const bigApi = await caller(big);
      const query = encodeURIComponent("E5INBN from FAPIBH");
      const capped = records(
        (await bigApi.json<V2Body>(v2("EXPORTMI", "Select", `?QERY=${query}`))).body,
      );
      expect(capped.length).toBe(100);
      const all = records(
        (await bigApi.json<V2Body>(v2("EXPORTMI", "Select", `?maxrecs=0&QERY=${query}`))).body,
      );
      expect(all.length).toBeGreaterThan(100);
    } finally {
      await big.close();
    }
  });

  it("lists PO lines and their receipts, several per line", async () => {
    const scenarios = file.sim.control.scenarios();
    const inbn = scenarios.qtyOverReceipt[0];
    const head = records(
      (await file.api.json<V2Body>(v2("APS450MI", "GetHead", `?INBN=${inbn}`))).body,
    )[0];
    const puno = head?.PUNO ?? "";
    const lines = records(
      (await file.api.json<V2Body>(v2("PPS200MI", "LstLine", `?PUNO=${puno}`))).body,
    );
    expect(lines.length).toBeGreaterThan(0);
    const receipts = records(
      (await file.api.json<V2Body>(v2("PPS200MI", "LstReceiptsByPO", `?PUNO=${puno}`))).body,
    );
    const received = receipts.reduce((sum, r) => sum + Number(r.RPQA), 0);
    expect(received).toBe(Number(lines[0]?.RVQA));
    expect(received).toBeLessThan(Number(lines[0]?.ORQA));
  });

  it("finds both batches of a duplicate supplier invoice number", async () => {
    const [a] = file.sim.control.scenarios().duplicateNumber;
    const head =
      records((await file.api.json<V2Body>(v2("APS450MI", "GetHead", `?INBN=${a}`))).body)[0] ?? {};
    const found = records(
      (
        await file.api.json<V2Body>(
          v2(
            "APS450MI",
            "LstInvBySupInv",
            `?SPYN=${head.SPYN}&SUNO=${head.SUNO}&SINO=${head.SINO}&DIVI=AAA`,
          ),
        )
      ).body,
    );
    expect(found.map((r) => Number(r.INBN))).toEqual(file.sim.control.scenarios().duplicateNumber);
  });

  it("gives posted invoices their ledger rows and balanced vouchers with a cost center", async () => {
    const list = records(
      (
        await file.api.json<V2Body>(
          v2(
            "EXPORTMI",
            "Select",
            `?SEPC=;&maxrecs=1&QERY=${encodeURIComponent("EPYEA4, EPJRNO, EPJSNO, EPSPYN, EPSUNO, EPSINO, EPINYR, EPDIVI from FPLEDG where EPTRCD = 40 and EPDIVI = 'AAA'")}`,
          ),
        )
      ).body,
    );
    const [yea4, jrno, jsno, spyn, suno, sino, inyr, divi] = (list[0]?.REPL ?? "").split(";");
    const invoice = records(
      (
        await file.api.json<V2Body>(
          v2("APS200MI", "GetInvoice", `?YEA4=${yea4}&JRNO=${jrno}&JSNO=${jsno}&DIVI=${divi}`),
        )
      ).body,
    )[0];
    expect(invoice?.TRCD).toBe("40");
    const trans = records(
      (
        await file.api.json<V2Body>(
          v2(
            "APS200MI",
            "LstInvoiceTrans",
            `?SPYN=${spyn}&SUNO=${suno}&SINO=${sino}&INYR=${inyr}&DIVI=${divi}`,
          ),
        )
      ).body,
    );
    expect(trans.length).toBeGreaterThanOrEqual(1);
    const lines = records(
      (
        await file.api.json<V2Body>(
          v2("GLS200MI", "LstVoucherLines", `?DIVI=${divi}&YEA4=${yea4}&VONO=${invoice?.VONO}`),
        )
      ).body,
    );
    const cents = lines.reduce((sum, l) => sum + BigInt((l.ACAM ?? "0").replace(".", "")), 0n);
    expect(cents).toBe(0n);
    expect(lines.some((l) => (l.AIT2 ?? "").startsWith("CC"))).toBe(true);
  });

  it("lists accounts and cost centers by dimension from AITM", async () => {
    const accounts = records(
      (await file.api.json<V2Body>(v2("CRS630MI", "LstAccountID", "?AITP=1&DIVI=AAA"))).body,
    );
    expect(accounts.map((a) => a.AITM)).toContain("2410");
    const centers = records(
      (await file.api.json<V2Body>(v2("CRS630MI", "LstAccountID", "?AITP=2&DIVI=AAA&AITM=CC300")))
        .body,
    );
    expect(centers[0]?.AITM).toBe("CC300");
  });
});

describe("infor-sim M3 MI REST v1", () => {
  it("answers an unknown transaction with a bare 400 and an unknown tenant with 404", async () => {
    const res = await file.api.get("M3/m3api-rest/execute/CRS620MI/Nope?SUNO=1");
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("");
    const other = await fetch(
      `${file.sim.url}/NOT_A_TENANT/M3/m3api-rest/v2/execute/CRS620MI/LstSuppliers`,
      { headers: { authorization: `Bearer ${file.api.token}` } },
    );
    expect(other.status).toBe(404);
  });

  it("returns MIRecord NameValue pairs unpadded, numeric RowIndex/@length, NOK with @cfg on HTTP 200", async () => {
    const { status, body } = await file.api.json<{
      Program: string;
      Metadata: { Field: Array<{ "@name": string; "@length": unknown }> };
      MIRecord: Array<{ RowIndex: unknown; NameValue: Array<{ Name: string; Value: string }> }>;
    }>("M3/m3api-rest/execute/CRS620MI/GetBasicData;cono=100?SUNO=3000001");
    expect(status).toBe(200);
    expect(body.Program).toBe("CRS620MI");
    expect(body.MIRecord[0]?.RowIndex).toBe(0);
    expect(typeof body.Metadata.Field[0]?.["@length"]).toBe("number");
    const pairs = body.MIRecord[0]?.NameValue ?? [];
    expect(pairs.find((p) => p.Name === "SUNO")?.Value).toBe("3000001");
    const nok = await file.api.json<Record<string, string>>(
      "M3/m3api-rest/execute/CRS620MI/GetBasicData?SUNO=NOPE",
    );
    expect(nok.status).toBe(200);
    expect(nok.body["@type"]).toBe("ServerReturnedNOK");
    expect(nok.body["@field"]?.trimEnd()).toBe("SUNO");
    expect(nok.body).toHaveProperty("@cfg");
  });

  it("answers a missing mandatory input with @type MandatoryInputFieldNotFound", async () => {
    const nok = await file.api.json<Record<string, string>>(
      "M3/m3api-rest/execute/CRS620MI/GetBasicData",
    );
    expect(nok.status).toBe(200);
    expect(nok.body["@type"]).toBe("MandatoryInputFieldNotFound");
    expect(nok.body["@field"]?.trimEnd()).toBe("SUNO");
  });

  it("a partialNok fault cuts a list after N rows and adds the error to the same answer", async () => {
    file.sim.control.addFault({ mode: "partialNok", count: 2, afterRows: 3 });
    const v1 = await file.api.json<{ MIRecord: unknown[]; ErrorMessage: Record<string, string> }>(
      "M3/m3api-rest/execute/CRS620MI/LstSuppliers;cono=100;maxrecs=10",
    );
    expect(v1.status).toBe(200);
    expect(v1.body.MIRecord).toHaveLength(3);
    expect(v1.body.ErrorMessage).toMatchObject({
      "@type": "ServerReturnedNOK",
      "@code": "CPF9898",
    });
    const two = await file.api.json<V2Body>(v2("CRS620MI", "LstSuppliers", "?cono=100&maxrecs=10"));
    expect(two.status).toBe(200);
    expect(records(two.body)).toHaveLength(3);
    expect(two.body.nrOfFailedTransactions).toBe(1);
    expect(two.body.results[0]?.errorMessage).toBe("Designed to fail!");
  });
});
