import { describe, expect, it } from "vitest";
import {
  eventsOf,
  type M3Event,
  readM3Event,
  targetsOfM3Event,
} from "../../src/ops/push/m3-event.ts";

const ev = (o: Partial<M3Event> & { table: string }): M3Event => ({
  publisher: "M3",
  operation: "update",
  values: {},
  oldValues: {},
  ...o,
});

describe("readM3Event", () => {
  it("reads the names Infor documents for M3 events (Event Analytics HubEvent)", () => {
    const r = readM3Event(
      {
        publisher: "M3",
        documentName: "FAPIBH",
        operation: "U",
        elementValues: { CONO: 100, DIVI: "AAA", INBN: "4711", SUPA: "90" },
        elementOldValues: { CONO: 100, DIVI: "AAA", INBN: "4711", SUPA: "50" },
        program: "APS450",
        user: "JDOE",
        timestamp: "2026-12-07T03:00:00Z",
      },
      0,
    );
    expect(r).toEqual({
      ok: true,
      event: {
        publisher: "M3",
        table: "FAPIBH",
        operation: "update",
        values: { CONO: "100", DIVI: "AAA", INBN: "4711", SUPA: "90" },
        oldValues: { CONO: "100", DIVI: "AAA", INBN: "4711", SUPA: "50" },
        program: "APS450",
        user: "JDOE",
        timestamp: "2026-12-07T03:00:00Z",
      },
    });
  });

  it("takes other spellings: lower-case field names, name/value lists, long operations", () => {
    const r = readM3Event(
      {
        DocumentName: "mphead",
        Operation: "CREATE",
        values: [
          { name: "cono", value: "100" },
          { name: "puno", value: "2000123" },
        ],
      },
      3,
    );
    expect(r.ok && r.event).toMatchObject({
      table: "MPHEAD",
      operation: "create",
      values: { CONO: "100", PUNO: "2000123" },
      publisher: "M3",
    });
  });

  it("names what is missing or wrong", () => {
    expect(readM3Event("x", 0)).toMatchObject({ ok: false, reason: /JSON object/ });
    expect(readM3Event({ operation: "U", elementValues: {} }, 1)).toMatchObject({
      ok: false,
      index: 1,
      reason: /documentName/,
    });
    expect(
      readM3Event({ documentName: "FAPIBH", operation: "X", elementValues: {} }, 2),
    ).toMatchObject({
      ok: false,
      reason: /operation/,
    });
    expect(readM3Event({ documentName: "FAPIBH", operation: "U" }, 2)).toMatchObject({
      ok: false,
      reason: /elementValues/,
    });
    expect(
      readM3Event({ documentName: "FA'; DROP", operation: "U", elementValues: {} }, 0).ok,
    ).toBe(false);
  });

  it("finds the events in one event, an array, or { events: [...] }", () => {
    expect(eventsOf({ documentName: "X" })).toHaveLength(1);
    expect(eventsOf([{}, {}])).toHaveLength(2);
    expect(eventsOf({ events: [{}, {}, {}] })).toHaveLength(3);
    expect(eventsOf("text")).toBeUndefined();
  });
});

describe("targetsOfM3Event: M3 tables → the record to read", () => {
  it("invoice batch head and lines → supplier invoice by company, division and batch (INBN)", () => {
    for (const table of ["FAPIBH", "FAPIBL"]) {
      expect(
        targetsOfM3Event(ev({ table, values: { CONO: "100", DIVI: "AAA", INBN: "55" } })),
      ).toEqual({
        kind: "targets",
        targets: [
          {
            company: "100",
            division: "AAA",
            table,
            target: { entity: "supplier_invoice", batchNumber: "55" },
          },
        ],
      });
    }
  });

  it("PO head, lines and receipts → purchase order; lines carry no division", () => {
    const head = targetsOfM3Event(
      ev({ table: "MPHEAD", values: { CONO: "100", DIVI: "AAA", PUNO: "2000001" } }),
    );
    expect(head).toMatchObject({
      targets: [{ division: "AAA", target: { entity: "purchase_order", number: "2000001" } }],
    });
    for (const table of ["MPLINE", "MPLIND"]) {
      expect(
        targetsOfM3Event(ev({ table, values: { CONO: "100", PUNO: "2000001", PNLI: "10" } })),
      ).toMatchObject({
        targets: [{ division: "", target: { entity: "purchase_order", number: "2000001" } }],
      });
    }
  });

  it("supplier tables → supplier (company-wide)", () => {
    for (const table of ["CIDMAS", "CIDVEN"]) {
      expect(
        targetsOfM3Event(ev({ table, values: { CONO: "100", DIVI: "AAA", SUNO: "S1" } })),
      ).toMatchObject({ targets: [{ division: "", target: { entity: "supplier", id: "S1" } }] });
    }
  });

  it("GL ledger → the voucher (year, series, number)", () => {
    expect(
      targetsOfM3Event(
        ev({
          table: "FGLEDG",
          operation: "create",
          values: { CONO: "100", DIVI: "AAA", YEA4: "2026", VSER: "GL", VONO: "88", JSNO: "3" },
        }),
      ),
    ).toMatchObject({
      targets: [{ target: { entity: "gl_voucher", year: 2026, series: "GL", voucher: "88" } }],
    });
  });

  it("AP ledger payment (TRCD 50) → the payment and the invoice it pays; TRCD 40 → the invoice", () => {
    const values = {
      CONO: "100",
      DIVI: "AAA",
      SUNO: "S1",
      SINO: "INV-9",
      YEA4: "2026",
      JRNO: "77",
      JSNO: "1",
    };
    const paid = targetsOfM3Event(ev({ table: "FPLEDG", values: { ...values, TRCD: "50" } }));
    expect(paid.kind === "targets" && paid.targets.map((t) => t.target)).toEqual([
      { entity: "supplier_invoice", supplierId: "S1", invoiceNumber: "INV-9" },
      { entity: "payment", reference: "2026-77-1" },
    ]);
    const booked = targetsOfM3Event(ev({ table: "FPLEDG", values: { ...values, TRCD: "40" } }));
    expect(booked.kind === "targets" && booked.targets.map((t) => t.target.entity)).toEqual([
      "supplier_invoice",
    ]);
  });

  it("a deleted line reads its head from the before values; a deleted head is ignored", () => {
    expect(
      targetsOfM3Event(
        ev({
          table: "FAPIBL",
          operation: "delete",
          oldValues: { CONO: "100", DIVI: "AAA", INBN: "55" },
        }),
      ),
    ).toMatchObject({ targets: [{ target: { batchNumber: "55" } }] });
    expect(
      targetsOfM3Event(
        ev({ table: "FAPIBH", operation: "delete", oldValues: { CONO: "100", INBN: "55" } }),
      ),
    ).toEqual({ kind: "ignored", reason: "head_deleted" });
  });

  it("ignores unknown tables and other publishers; names missing keys", () => {
    expect(targetsOfM3Event(ev({ table: "OOHEAD", values: { CONO: "1" } }))).toEqual({
      kind: "ignored",
      reason: "unknown_table",
    });
    expect(
      targetsOfM3Event(ev({ table: "FAPIBH", publisher: "LN", values: { CONO: "1" } })),
    ).toEqual({ kind: "ignored", reason: "other_publisher" });
    expect(targetsOfM3Event(ev({ table: "FAPIBH", values: { CONO: "100" } }))).toEqual({
      kind: "invalid",
      reason: "FAPIBH: INBN missing",
    });
    expect(targetsOfM3Event(ev({ table: "MPHEAD", values: { PUNO: "1" } }))).toEqual({
      kind: "invalid",
      reason: "MPHEAD: CONO missing",
    });
  });
});
