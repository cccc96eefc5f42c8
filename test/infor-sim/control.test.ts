import { describe, expect, it } from "vitest";
import { caller, records, simPerTest, type V2Body, v2 } from "./helpers.ts";

const startSim = simPerTest();

describe("infor-sim control API", () => {
  it("adds and changes records with LMDT set to the sim date, visible to EXPORTMI", async () => {
    const sim = await startSim();
    sim.control.advanceClock(3 * 86_400);
    // Signed in after the clock moved: a token from before would have expired (2 h lifetime).
    const api = await caller(sim);
    expect(sim.control.now().toISOString().slice(0, 10)).toBe("2026-12-03");
    const added = sim.control.upsert("invoice", {
      SUNO: "3000001",
      SINO: "NEW-1",
      CUAM: "120.00",
      VTAM: "20.00",
      DIVI: "AAA",
    }) as { inbn: number; lmdt: string };
    expect(added.lmdt).toBe("20261203");
    const query = encodeURIComponent("E5INBN, E5SINO, E5CUAM from FAPIBH where E5LMDT >= 20261203");
    const rows = records(
      (await api.json<V2Body>(v2("EXPORTMI", "Select", `?SEPC=;&QERY=${query}`))).body,
    );
    expect(rows.map((r) => r.REPL)).toEqual([`${added.inbn};NEW-1;120.00`]);
    sim.control.upsert("invoice", { INBN: added.inbn, SUPA: "90" });
    const head = records(
      (await api.json<V2Body>(v2("APS450MI", "GetHead", `?INBN=${added.inbn}`))).body,
    )[0];
    expect(head?.SUPA).toBe("90");
    expect(Number(head?.VONO)).toBeGreaterThan(0);
    sim.control.upsert("payment", { INBN: added.inbn });
    const trans = records(
      (
        await api.json<V2Body>(
          v2(
            "APS200MI",
            "LstInvoiceTrans",
            "?SPYN=3000001&SUNO=3000001&SINO=NEW-1&INYR=2026&DIVI=AAA",
          ),
        )
      ).body,
    );
    expect(trans.map((t) => t.TRCD)).toEqual(["40", "50"]);
    expect(trans[1]?.CUAM).toBe("-120.00");
  });

  it("adds a receipt to a PO line and updates the received quantity", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    const po = sim.control.upsert("po", { SUNO: "3000002", DIVI: "AAA" }) as { puno: string };
    sim.control.upsert("poLine", { PUNO: po.puno, PNLI: 10, ORQA: "10", PUPR: "5.00" });
    const res = await fetch(`${sim.url}/_sim/records/receipt`, {
      method: "POST",
      body: JSON.stringify({ PUNO: po.puno, PNLI: 10, RPQA: "4" }),
    });
    expect(res.status).toBe(200);
    const line = records(
      (await api.json<V2Body>(v2("PPS200MI", "LstLine", `?PUNO=${po.puno}`))).body,
    )[0];
    expect(line?.RVQA).toBe("4");
    expect(line?.LNAM).toBe("50.00");
    const unknown = await fetch(`${sim.url}/_sim/records/supplier`, {
      method: "POST",
      body: JSON.stringify({ SUNO: "1", NOPE: "x" }),
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toBe("unknown_field");
  });

  it("adds a GL voucher with a cost center", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    const lines = sim.control.upsert("voucher", {
      DIVI: "AAA",
      ACDT: "20261130",
      lines: [
        { AIT1: "6100", AIT2: "CC200", ACAM: "100.00" },
        { AIT1: "1930", ACAM: "-100.00" },
      ],
    }) as Array<{ vono: number }>;
    const got = records(
      (
        await api.json<V2Body>(
          v2("GLS200MI", "LstVoucherLines", `?DIVI=AAA&YEA4=2026&VONO=${lines[0]?.vono}`),
        )
      ).body,
    );
    expect(got.map((l) => [l.AIT1, l.AIT2, l.ACAM])).toEqual([
      ["6100", "CC200", "100.00"],
      ["1930", "", "-100.00"],
    ]);
  });

  it("keeps a request log and resets counters, log and tokens", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    await api.get(v2("CRS620MI", "LstSuppliers"));
    const log = sim.control.log();
    expect(log.map((e) => [e.method, e.status])).toEqual([
      ["POST", 200],
      ["GET", 200],
    ]);
    expect(log[1]?.path).toContain("/M3/m3api-rest/v2/execute/CRS620MI/LstSuppliers");
    const viaHttp = (await (await fetch(`${sim.url}/_sim/log`)).json()) as unknown[];
    expect(viaHttp).toHaveLength(2);
    await fetch(`${sim.url}/_sim/reset`, { method: "POST" });
    expect(sim.control.counters().requests).toBe(0);
    expect(sim.control.log()).toEqual([]);
    expect((await api.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(401);
  });

  it("answers 400 to a control body that is not JSON", async () => {
    const sim = await startSim();
    const res = await fetch(`${sim.url}/_sim/faults`, { method: "POST", body: "{nope" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("bad_json");
  });

  it("moves the clock over HTTP", async () => {
    const sim = await startSim();
    const res = await fetch(`${sim.url}/_sim/clock`, {
      method: "POST",
      body: JSON.stringify({ set: "2027-01-15T10:00:00Z" }),
    });
    expect(((await res.json()) as { now: string }).now.slice(0, 16)).toBe("2027-01-15T10:00");
  });
});

describe("infor-sim values an ERP holds as text", () => {
  it("stores and serves a non-numeric PUPR; derived amounts are blank, not a 500", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    const po = sim.control.upsert("po", { SUNO: "3000002", DIVI: "AAA" }) as { puno: string };
    sim.control.upsert("poLine", { PUNO: po.puno, PNLI: 10, ORQA: "10", PUPR: "5.00" });
    sim.control.upsert("poLine", { PUNO: po.puno, PNLI: 20, ORQA: "2", PUPR: "12,5O" });
    const query = encodeURIComponent(
      `IBPNLI, IBPUPR, IBLNAM from MPLINE where IBPUNO = '${po.puno}'`,
    );
    const select = await api.json<V2Body>(v2("EXPORTMI", "Select", `?SEPC=;&QERY=${query}`));
    expect(select.status).toBe(200);
    expect(records(select.body).map((r) => r.REPL)).toEqual(["10;5.00;50.00", "20;12,5O;"]);
    const head = encodeURIComponent(`IAPUNO, IACOAM from MPHEAD where IAPUNO = '${po.puno}'`);
    const heads = await api.json<V2Body>(v2("EXPORTMI", "Select", `?SEPC=;&QERY=${head}`));
    expect(records(heads.body).map((r) => r.REPL)).toEqual([`${po.puno};`]);
    const lines = await api.json<V2Body>(v2("PPS200MI", "LstLine", `?PUNO=${po.puno}`));
    expect(lines.status).toBe(200);
    expect(records(lines.body).map((l) => [l.PUPR, l.LNAM])).toEqual([
      ["5.00", "50.00"],
      ["12,5O", ""],
    ]);
    const ido = await api.json<{ Items: Array<Record<string, string>> }>(
      `CSI/IDORequestService/ido/load/SLPoItems?properties=PoLine,ItemCost&filter=${encodeURIComponent(`PoNum = N'${po.puno}'`)}`,
      { "X-Infor-MongooseConfig": "SIM_SITE" },
    );
    expect(ido.body.Items.map((i) => i.ItemCost)).toEqual(["5.00000000", "12,5O"]);
    expect(sim.control.log().map((e) => e.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it("serves an invoice amount held as text; its line amount is blank and it posts no GL", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    const inv = sim.control.upsert("invoice", {
      SUNO: "3000001",
      SINO: "TEXT-AMOUNT",
      DIVI: "AAA",
      CUAM: "1,234.50",
      VTAM: "0.00",
    }) as { inbn: number };
    const lines = await api.json<V2Body>(v2("APS450MI", "LstLines", `?INBN=${inv.inbn}&DIVI=AAA`));
    expect(lines.status).toBe(200);
    expect(records(lines.body).map((l) => l.NLAM)).toEqual([""]);
    const q = encodeURIComponent(`E6INBN, E6NLAM from FAPIBL where E6INBN = ${inv.inbn}`);
    const fapibl = await api.json<V2Body>(v2("EXPORTMI", "Select", `?SEPC=;&QERY=${q}`));
    expect(records(fapibl.body).map((r) => r.REPL)).toEqual([`${inv.inbn};`]);
    // Even marked as posted, an amount that is not a number yields no ledger lines.
    sim.control.upsert("invoice", { INBN: inv.inbn, SUPA: "90" });
    const gl = encodeURIComponent(`EGVTXT from FGLEDG where EGVTXT = '3000001 TEXT-AMOUNT'`);
    const fgledg = await api.json<V2Body>(v2("EXPORTMI", "Select", `?SEPC=;&QERY=${gl}`));
    expect(fgledg.status).toBe(200);
    expect(records(fgledg.body)).toEqual([]);
    expect(sim.control.log().every((e) => e.status === 200)).toBe(true);
  });

  it("logs a request whose handler fails, with the status it answered", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    // Corrupt the live data behind the control API's back: the handler throws unexpectedly.
    for (const po of sim.control.data().pos) (po as { lines: unknown }).lines = null;
    const res = await api.get(
      v2("PPS200MI", "LstLine", `?PUNO=${sim.control.data().pos[0]?.puno}`),
    );
    expect(res.status).toBe(500);
    const last = sim.control.log().at(-1);
    expect(last?.status).toBe(500);
    expect(last?.path).toContain("/PPS200MI/LstLine");
  });
});

describe("infor-sim control upserts are all or nothing", () => {
  it("leaves no half-made or half-changed record behind when a field is unknown", async () => {
    const sim = await startSim();
    const before = sim.control.data().suppliers.length;
    expect(() => sim?.control.upsert("supplier", { SUNO: "NEWSUP", NOPE: "x" })).toThrow(
      expect.objectContaining({ code: "unknown_field" }),
    );
    expect(sim.control.data().suppliers).toHaveLength(before);
    const existing = sim.control.data().suppliers[0];
    const name = existing?.sunm;
    expect(() =>
      sim?.control.upsert("supplier", { SUNO: existing?.suno, SUNM: "Changed", NOPE: "x" }),
    ).toThrow(expect.objectContaining({ code: "unknown_field" }));
    expect(sim.control.data().suppliers[0]?.sunm).toBe(name);
    const po = sim.control.upsert("po", { SUNO: "3000002" }) as { puno: string; lines: unknown[] };
    expect(() =>
      sim?.control.upsert("poLine", { PUNO: po.puno, PNLI: 10, ORQA: "1", PUPR: "1", X: 1 }),
    ).toThrow(expect.objectContaining({ code: "unknown_field" }));
    expect(po.lines).toEqual([]);
  });
});

describe("infor-sim quantities are exact", () => {
  it("totals PO line quantities without float error, and blank when one is not a number", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    const po = sim.control.upsert("po", { SUNO: "3000002" }) as { puno: string };
    sim.control.upsert("poLine", { PUNO: po.puno, PNLI: 10, ORQA: "0.1", PUPR: "1" });
    sim.control.upsert("poLine", { PUNO: po.puno, PNLI: 20, ORQA: "0.2", PUPR: "1" });
    const head = async () =>
      records((await api.json<V2Body>(v2("PPS200MI", "GetHead", `?PUNO=${po.puno}`))).body)[0];
    expect((await head())?.TOQT).toBe("0.3");
    sim.control.upsert("poLine", { PUNO: po.puno, PNLI: 30, ORQA: "1O", PUPR: "1" });
    expect((await head())?.TOQT).toBe("");
    // A receipt quantity held as text is stored; the line's received total is then blank.
    sim.control.upsert("receipt", { PUNO: po.puno, PNLI: 10, RPQA: "0,1" });
    const lines = records(
      (await api.json<V2Body>(v2("PPS200MI", "LstLine", `?PUNO=${po.puno}`))).body,
    );
    expect(lines.map((l) => [l.PNLI, l.RVQA, l.PUST])).toEqual([
      ["10", "", "20"],
      ["20", "0", "20"],
      ["30", "0", "20"],
    ]);
  });
});
