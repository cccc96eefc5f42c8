import { describe, expect, it } from "vitest";
import { glVoucherSchema, paymentSchema } from "../../src/infor/records.ts";
import { matchInvoice } from "../../src/rules/match-invoice.ts";
import {
  costCenterOf,
  type RoutingPolicy,
  routeCostCenter,
  routeException,
  routeRecord,
} from "../../src/rules/routing.ts";
import { invLine, invoice, po, poLine } from "./fixtures.ts";

const policy: RoutingPolicy = {
  defaultChannel: "C0DEFAULT",
  opsChannel: "C0OPS",
  costCenters: { "CC-10": "C0CC10", "CC-20": "C0CC20" },
  companies: {
    "100": {
      costCenters: { "CC-20": "C0CO20" },
      defaultChannel: "C0CO100",
      divisions: { AAA: { costCenters: { "CC-10": "C0AAA10" } }, BBB: { defaultChannel: "C0BBB" } },
    },
  },
};

describe("routing", () => {
  it.each([
    {
      t: { company: "100", division: "AAA", costCenter: "CC-10" },
      channel: "C0AAA10",
      by: "division_cost_center",
      fallback: false,
    },
    {
      t: { company: "100", division: "AAA", costCenter: "CC-20" },
      channel: "C0CO20",
      by: "company_cost_center",
      fallback: false,
    },
    {
      t: { company: "200", division: "", costCenter: "CC-20" },
      channel: "C0CC20",
      by: "cost_center",
      fallback: false,
    },
    {
      t: { company: "100", division: "BBB", costCenter: "CC-99" },
      channel: "C0BBB",
      by: "division_default",
      fallback: true,
    },
    {
      t: { company: "100", division: "AAA" },
      channel: "C0CO100",
      by: "company_default",
      fallback: true,
    },
    {
      t: { company: "300", costCenter: "CC-99" },
      channel: "C0DEFAULT",
      by: "default",
      fallback: true,
    },
    { t: { company: "300", costCenter: "" }, channel: "C0DEFAULT", by: "default", fallback: true },
  ])("$t.company/$t.division/$t.costCenter → $channel", ({ t, channel, by, fallback }) => {
    const route = routeCostCenter(policy, t);
    expect([route.channel, route.matchedBy, route.fallback]).toEqual([channel, by, fallback]);
  });

  it("says why it fell back, so /infor status can count unrouted records", () => {
    expect(routeCostCenter(policy, { company: "300" }).fallbackReason).toBe("no_cost_center");
    expect(routeCostCenter(policy, { company: "300", costCenter: "X" })).toEqual({
      channel: "C0DEFAULT",
      costCenter: "X",
      matchedBy: "default",
      fallback: true,
      fallbackReason: "unmapped_cost_center",
      note: "Cost center X has no channel in routing.yml: sent to the default channel",
    });
    expect(
      routeCostCenter(policy, { company: "300", costCenter: "CC-10" }).fallbackReason,
    ).toBeUndefined();
  });

  it("falls back in order: ERP coding, supplier default, buyer default, default channel; and says so", () => {
    const withDefaults: RoutingPolicy = {
      ...policy,
      costCenterDefaults: { suppliers: { S100: "CC-20" }, buyers: { BUYER01: "CC-10" } },
    };
    const erp = routeCostCenter(withDefaults, {
      company: "300",
      costCenter: "CC-10",
      supplierId: "S100",
      buyer: "BUYER01",
    });
    expect(erp).toEqual({
      channel: "C0CC10",
      costCenter: "CC-10",
      matchedBy: "cost_center",
      fallback: false,
    });
    expect(
      routeCostCenter(withDefaults, { company: "300", supplierId: "S100", buyer: "BUYER01" }),
    ).toEqual({
      channel: "C0CC20",
      costCenter: "CC-20",
      matchedBy: "cost_center",
      fallback: false,
      costCenterFrom: "supplier_default",
      note: "No cost center in the ERP: cost center CC-20 is routing.yml's default for supplier S100",
    });
    expect(
      routeCostCenter(withDefaults, { company: "300", supplierId: "S999", buyer: "BUYER01" }),
    ).toMatchObject({
      channel: "C0CC10",
      costCenterFrom: "buyer_default",
      note: "No cost center in the ERP: cost center CC-10 is routing.yml's default for buyer BUYER01",
    });
    expect(routeCostCenter(withDefaults, { company: "300", supplierId: "S999" })).toMatchObject({
      channel: "C0DEFAULT",
      fallbackReason: "no_cost_center",
      note: "No cost center in the ERP and no routing default for supplier S999: sent to the default channel",
    });
    // A PO (buyer on its head) that M3 gives no cost center for: the buyer's default.
    const order = po({ buyer: "BUYER01", costCenter: undefined, supplierId: "S999" }, [
      poLine({ costCenter: undefined }),
    ]);
    expect(routeRecord(withDefaults, order)).toMatchObject({
      channel: "C0AAA10", // company 100 / division AAA's channel for CC-10
      costCenter: "CC-10",
      costCenterFrom: "buyer_default",
    });
  });

  it("finds a record's cost center: header, else the one all lines share", () => {
    const scope = {
      tenant: "T",
      company: "300",
      division: "",
      source: "m3",
      changedAt: "2026-11-30",
    };
    const gl = (ccs: string[]) =>
      glVoucherSchema.parse({
        entity: "gl_voucher",
        ...scope,
        voucher: "1",
        accountingDate: "2026-11-30",
        lines: ccs.map((cc, i) => ({
          line: i,
          account: "4000",
          costCenter: cc,
          amount: { amount: "1", currency: "EUR" },
        })),
      });
    expect(costCenterOf(gl(["CC-10", "CC-10"]))).toBe("CC-10");
    expect(costCenterOf(gl(["CC-10", "CC-20"]))).toBeUndefined();
    expect(costCenterOf(invoice({ costCenter: "CC-20" }))).toBe("CC-20");
    expect(costCenterOf(po({ costCenter: undefined }))).toBeUndefined(); // lines CC-10 and CC-20
    const payment = paymentSchema.parse({
      entity: "payment",
      ...scope,
      supplierId: "S1",
      reference: "P1",
      paymentDate: "2026-11-30",
      amount: { amount: "5", currency: "EUR" },
      costCenter: "CC-10",
    });
    expect(routeRecord(policy, payment)).toMatchObject({ channel: "C0CC10", fallback: false });
  });

  it("routes each exception by its own cost center", () => {
    const order = po({}, [poLine({ receivedQty: "0", receipts: [] })]);
    const [e] = matchInvoice({ invoice: invoice({}, [invLine()]), purchaseOrders: [order] }, {});
    expect(e && routeException(policy, e)).toMatchObject({
      channel: "C0AAA10",
      costCenter: "CC-10",
    });
  });
});
