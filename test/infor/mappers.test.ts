import { describe, expect, it } from "vitest";
import type { MapOutcome } from "../../src/infor/mapping/fields.ts";
import { decimal, isoDate } from "../../src/infor/mapping/fields.ts";
import {
  mapIdoLedger,
  mapIdoPurchaseOrder,
  mapIdoVendor,
  mapIdoVoucher,
} from "../../src/infor/mapping/ido-mappers.ts";
import {
  mapM3Account,
  mapM3GlVoucher,
  mapM3InvoiceBatch,
  mapM3LedgerInvoice,
  mapM3Payment,
  mapM3PurchaseOrder,
  mapM3Supplier,
} from "../../src/infor/mapping/m3-mappers.ts";
import {
  IBTP_LABELS,
  invoiceStatusFromSupa,
  ledgerInvoiceStatus,
  poStatusWord,
  SUPA_LABELS,
  supaLabel,
} from "../../src/infor/mapping/m3-status.ts";
import aps450 from "../fixtures/m3/aps450-status-codes.json" with { type: "json" };

const ctx = { tenant: "ACME_TST", company: "100", division: "AAA" };

function ok(o: MapOutcome) {
  if (!o.ok) throw new Error(`expected a record, got: ${o.failure.reason}`);
  return o.record as Record<string, unknown> & { entity: string };
}
function bad(o: MapOutcome) {
  if (o.ok) throw new Error("expected a failure");
  return o.failure;
}

describe("field helpers", () => {
  it.each([
    ["20261130", "2026-11-30"],
    ["20261130 00:00:00.000", "2026-11-30"],
    ["0", undefined],
    ["00000000", undefined],
    ["", undefined],
    ["2026-11-30", "2026-11-30"],
    ["30.11.2026", "30.11.2026"],
  ])("isoDate(%j) = %j", (input, out) => expect(isoDate(input)).toBe(out));

  it.each([
    ["  1234.50 ", "1234.50"],
    ["12.50-", "-12.50"],
    [".5", "0.5"],
    ["-.5", "-0.5"],
    ["+3", "3"],
    ["", undefined],
    ["1,234.50", "1,234.50"],
  ])("decimal(%j) = %j", (input, out) => expect(decimal(input)).toBe(out));
});

describe("M3 status codes", () => {
  it("labels every APS450 SUPA and IBTP code as Infor's documentation does", () => {
    expect(SUPA_LABELS).toEqual(aps450.SUPA);
    expect(IBTP_LABELS).toEqual(aps450.IBTP);
    for (const code of Object.keys(aps450.SUPA))
      expect(supaLabel(code)).toBe(aps450.SUPA[code as keyof typeof aps450.SUPA]);
  });
  it.each([
    ["00", false, "entry"],
    ["10", false, "entry"],
    ["15", false, "entry"],
    ["20", false, "entry"],
    ["30", false, "entry"],
    ["40", false, "approval"],
    ["41", false, "approval"],
    ["43", false, "approval"],
    ["45", false, "entry"],
    ["50", false, "approved"],
    // 78/79: matching failed; the old ranges read them as approved.
    ["78", false, "entry"],
    ["79", false, "entry"],
    ["80", false, "entry"],
    ["90", false, "posted"],
    ["20", true, "rejected"],
    ["", false, "entry"],
    ["XX", false, "entry"],
  ])("SUPA %j rejected=%s → %s", (supa, rejected, status) => {
    expect(invoiceStatusFromSupa(supa, rejected)).toBe(status);
  });
  it("ledger invoices are paid when nothing is outstanding", () => {
    expect(ledgerInvoiceStatus("0.00")).toBe("paid");
    expect(ledgerInvoiceStatus("12.00")).toBe("posted");
    expect(ledgerInvoiceStatus(undefined)).toBe("posted");
  });
  it.each([
    ["15", "released"],
    ["20", "sent"],
    ["35", "confirmed"],
    ["50", "received"],
    ["75", "put away"],
    ["85", "invoiced"],
  ])("PUSL %s → %s", (c, w) => expect(poStatusWord(c)).toBe(w));
});

describe("M3 mappers", () => {
  it("supplier: trimmed, status words, ISO change date", () => {
    const r = ok(
      mapM3Supplier(ctx, {
        CONO: "100",
        SUNO: "S100      ",
        SUNM: " Acme Supplies   ",
        STAT: "90",
        CSCD: "SE",
        CUCD: "EUR",
        LMDT: "20261128",
        CHID: "JSMITH",
      }),
    );
    expect(r).toMatchObject({
      entity: "supplier",
      id: "S100",
      name: "Acme Supplies",
      status: "blocked",
      blocked: true,
      changedAt: "2026-11-28",
      changedBy: "JSMITH",
      company: "100",
      division: "AAA",
      source: "m3",
    });
  });

  it("purchase order with lines and receipts, exact amounts", () => {
    const r = ok(
      mapM3PurchaseOrder(
        ctx,
        {
          PUNO: "1000001",
          SUNO: "S100",
          PUSL: "35",
          PUST: "50",
          PUDT: "20261101",
          DWDT: "20261115",
          CUCD: "EUR",
          BUYE: "BUY1",
          COAM: "1234.50",
          LMDT: "20261102",
        },
        [
          {
            PUNO: "1000001",
            PNLI: "10",
            PNLS: "0",
            ITNO: "A1",
            PITD: "Bolt",
            ORQA: "100",
            RVQA: "40",
            IVQA: "0",
            PUPR: "12.345",
            PUCD: "1",
            PUUN: "PCS",
            LMDT: "20261105",
          },
        ],
        [
          {
            PUNO: "1000001",
            PNLI: "10",
            PNLS: "0",
            REPN: "R1",
            TRDT: "20261104",
            RPQA: "40",
            LMDT: "20261104",
          },
        ],
      ),
    );
    expect(r).toMatchObject({
      number: "1000001",
      status: "confirmed",
      statusCode: "35-50",
      orderDate: "2026-11-01",
      changedAt: "2026-11-05",
      total: { amount: "1234.5", currency: "EUR" },
      lines: [
        {
          line: 10,
          orderedQty: "100",
          receivedQty: "40",
          unitPrice: { amount: "12.345", currency: "EUR" },
          receipts: [{ id: "R1", date: "2026-11-04", quantity: "40" }],
        },
      ],
    });
  });

  it("PO total falls back to the sum of line amounts, exactly", () => {
    const r = ok(
      mapM3PurchaseOrder(
        ctx,
        { PUNO: "1", SUNO: "S", PUSL: "15", PUDT: "20261101", CUCD: "EUR" },
        [
          { PNLI: "1", ORQA: "1", PUPR: "0.1", LNAM: "0.10" },
          { PNLI: "2", ORQA: "1", PUPR: "0.2", LNAM: "0.20" },
        ],
        [],
      ),
    );
    expect(r.total).toEqual({ amount: "0.3", currency: "EUR" });
  });

  it("invoice batch: status from SUPA, credit note, lines with cost center AIT2", () => {
    const r = ok(
      mapM3InvoiceBatch(
        ctx,
        {
          DIVI: "AAA",
          INBN: "55",
          SUPA: "40",
          SUNO: "S100",
          SINO: "INV-1 ",
          IVDT: "20261120",
          DUDT: "20261220",
          CUCD: "SEK",
          CUAM: "-500.00",
          VTAM: "-100.00",
          PUNO: "1000001",
          APCD: "APPROVER1",
          LMDT: "20261121",
        },
        [
          {
            INBN: "55",
            TRNO: "1",
            PUNO: "1000001",
            PNLI: "10",
            IVQA: "40",
            GRPR: "12.50",
            NLAM: "-500.00",
            AIT1: "4010",
            AIT2: "CC100",
          },
        ],
      ),
    );
    expect(r).toMatchObject({
      status: "approval",
      statusCode: "40",
      statusText: "Not approved",
      credit: true,
      batchNumber: "55",
      invoiceNumber: "INV-1",
      total: { amount: "-500", currency: "SEK" },
      vat: { amount: "-100", currency: "SEK" },
      costCenter: "CC100",
    });
    expect(r.lines).toMatchObject([
      {
        line: 1,
        poLine: 10,
        quantity: "40",
        unitPrice: { amount: "12.5" },
        costCenter: "CC100",
        account: "4010",
      },
    ]);
  });

  it("posted ledger invoice and payment (FPLEDG)", () => {
    expect(
      ok(
        mapM3LedgerInvoice(ctx, {
          SUNO: "S1",
          SINO: "X1",
          IVDT: "20261101",
          CUCD: "EUR",
          CUAM: "10.00",
          TRCD: "40",
          OCUA: "0",
          LMDT: "20261110",
        }),
      ),
    ).toMatchObject({ status: "paid" });
    const p = ok(
      mapM3Payment(ctx, {
        SUNO: "S1",
        SINO: "X1",
        YEA4: "2026",
        JRNO: "12",
        JSNO: "3",
        ACDT: "20261115",
        CUCD: "EUR",
        CUAM: "-10.00",
        PYME: "BT",
        LMDT: "20261115",
      }),
    );
    expect(p).toMatchObject({
      reference: "2026-12-3",
      paymentDate: "2026-11-15",
      amount: { amount: "10", currency: "EUR" },
      method: "BT",
    });
  });

  it("GL voucher: lines with account, cost center AIT2, other dimensions", () => {
    const rows = [
      {
        YEA4: "2026",
        VSER: "A",
        VONO: "42",
        JSNO: "1",
        ACDT: "20261130",
        AIT1: "4010",
        AIT2: "CC100",
        AIT3: "P1",
        CUAM: "100.00",
        CUCD: "EUR",
        VTXT: "Rent",
        LMDT: "20261130",
      },
      {
        YEA4: "2026",
        VSER: "A",
        VONO: "42",
        JSNO: "2",
        ACDT: "20261130",
        AIT1: "2440",
        AIT2: "",
        CUAM: "-100.00",
        CUCD: "EUR",
        LMDT: "20261130",
      },
    ];
    const r = ok(mapM3GlVoucher(ctx, rows));
    expect(r).toMatchObject({
      voucher: "42",
      series: "A",
      year: 2026,
      period: 11,
      accountingDate: "2026-11-30",
    });
    expect(r.lines).toMatchObject([
      {
        line: 1,
        account: "4010",
        costCenter: "CC100",
        dimensions: { "3": "P1" },
        amount: { amount: "100" },
      },
      { line: 2, account: "2440", dimensions: {}, amount: { amount: "-100" } },
    ]);
  });

  it("account / cost center", () => {
    expect(
      ok(
        mapM3Account(ctx, {
          AITP: "2",
          AITM: "CC100",
          TX40: "Finance dept",
          LCCD: "0",
          LMDT: "20261101",
        }),
      ),
    ).toMatchObject({ dimension: 2, id: "CC100", name: "Finance dept", status: "active" });
  });

  it.each([
    [
      "amount not a number",
      () =>
        mapM3Payment(ctx, {
          SUNO: "S1",
          YEA4: "2026",
          JRNO: "1",
          JSNO: "1",
          ACDT: "20261101",
          CUCD: "EUR",
          CUAM: "abc",
          LMDT: "20261101",
        }),
      "amount.amount",
    ],
    [
      "missing currency",
      () =>
        mapM3Payment(ctx, {
          SUNO: "S1",
          YEA4: "2026",
          JRNO: "1",
          JSNO: "1",
          ACDT: "20261101",
          CUAM: "1",
          LMDT: "20261101",
        }),
      "amount.currency",
    ],
    ["bad date", () => mapM3Supplier(ctx, { SUNO: "S1", SUNM: "x", LMDT: "2026113" }), "changedAt"],
    ["missing key", () => mapM3Supplier(ctx, { SUNM: "x", LMDT: "20261101" }), "id"],
    [
      "EXPORTMI row error",
      () =>
        mapM3Supplier(ctx, {
          SUNO: "S1",
          SUNM: "x",
          LMDT: "20261101",
          _ROW_ERROR: "expected 9 columns, got 10",
        }),
      "(row)",
    ],
  ])("a bad record is a failure naming the field, never a throw: %s", (_n, run, path) => {
    const f = bad(run());
    expect(f.issues.map((i) => i.path)).toContain(path);
    expect(f.reason.length).toBeGreaterThan(0);
    expect(f.id).toBeTruthy();
  });
});

describe("IDO mappers", () => {
  const sctx = { tenant: "ACME_TST", company: "SITE1", division: "" };
  it("vendor, voucher, PO, ledger", () => {
    expect(
      ok(
        mapIdoVendor(sctx, {
          VendNum: "0000100",
          Name: "Acme",
          Stat: "A",
          CurrCode: "USD",
          RecordDate: "20261130 10:00:00.000",
        }),
      ),
    ).toMatchObject({
      id: "0000100",
      status: "active",
      source: "syteline",
      changedAt: "2026-11-30",
    });
    expect(
      ok(
        mapIdoVoucher(sctx, {
          VendNum: "0000100",
          InvNum: "I-9",
          Voucher: "77",
          InvDate: "20261101 00:00:00.000",
          InvAmt: "150.50000000",
          CurrCode: "USD",
          InWorkflow: "1",
          RecordDate: "20261102 00:00:00.000",
        }),
      ),
    ).toMatchObject({ status: "approval", total: { amount: "150.5", currency: "USD" } });
    const po = ok(
      mapIdoPurchaseOrder(
        sctx,
        {
          PoNum: "PO1",
          VendNum: "0000100",
          OrderDate: "20261101 00:00:00.000",
          Stat: "O",
          CurrCode: "USD",
          TotalCost: "10.00000000",
          RecordDate: "20261101 00:00:00.000",
        },
        [
          {
            PoNum: "PO1",
            PoLine: "1",
            PoRelease: "0",
            QtyOrdered: "2.00000000",
            QtyReceived: "1.00000000",
            ItemCost: "5.00000000",
            RecordDate: "20261103 00:00:00.000",
          },
        ],
      ),
    );
    expect(po).toMatchObject({
      status: "ordered",
      changedAt: "2026-11-03",
      lines: [{ orderedQty: "2", unitPrice: { amount: "5" } }],
    });
    expect(
      ok(
        mapIdoLedger(sctx, {
          TransNum: "9",
          Acct: "4010",
          AcctUnit1: "CC1",
          TransDate: "20261130 00:00:00.000",
          ForAmount: "5.00",
          CurrCode: "USD",
          RecordDate: "20261130 00:00:00.000",
        }),
      ),
    ).toMatchObject({ period: 11, lines: [{ account: "4010", costCenter: "CC1" }] });
  });
  it("a bad IDO item is a failure", () => {
    expect(
      bad(mapIdoVoucher(sctx, { VendNum: "1", InvNum: "2", InvAmt: "x", RecordDate: "20261101" }))
        .issues.length,
    ).toBeGreaterThan(0);
  });
});
