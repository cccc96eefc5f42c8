import { describe, expect, it } from "vitest";
import { createErpEligibilityPolicy } from "../../src/approvals/erp-eligibility.ts";
import { chooseM3Route, parseInvoiceKey } from "../../src/approvals/erp-m3.ts";
import type { ApprovalSubject } from "../../src/approvals/types.ts";

describe("M3 route per invoice kind and stage (docs/erp-approvals.md)", () => {
  it("self-billing and supplier-claim batches go to APS450MI once printed", () => {
    expect(chooseM3Route({ ibtp: "10", supa: "30" }, false)).toEqual({ route: "APS450MI" });
    expect(chooseM3Route({ ibtp: "50", supa: "41" }, true)).toEqual({ route: "APS450MI" });
    expect(chooseM3Route({ ibtp: "10", supa: "20" }, false)).toHaveProperty("none");
  });
  it("a supplier invoice or debit note in its batch has no route (X_00050)", () => {
    for (const ibtp of ["20", "30", "25"]) {
      const r = chooseM3Route({ ibtp, supa: "30" }, false);
      expect(r).toHaveProperty("none");
      expect(JSON.stringify(r)).toContain("X_00050");
    }
  });
  it("posted invoices: the approval flow when the tenant runs it, else APS110MI", () => {
    expect(chooseM3Route({ ibtp: "20", supa: "90" }, true)).toEqual({ route: "CMS740MI" });
    expect(chooseM3Route({ ibtp: "20", supa: "90" }, false)).toEqual({ route: "APS110MI" });
  });
  it("reads batch-number and supplier/number record keys", () => {
    expect(parseInvoiceKey("supplier_invoice:T:100:AAA:4711")).toEqual({
      company: "100",
      division: "AAA",
      inbn: "4711",
    });
    expect(parseInvoiceKey("supplier_invoice:T:100:AAA:10023/INV-9")).toEqual({
      company: "100",
      division: "AAA",
      supplier: "10023",
      number: "INV-9",
    });
    expect(parseInvoiceKey("purchase_order:T:100:AAA:1")).toBeUndefined();
  });
});

describe("who may approve: M3's pending list for flow tenants, bands otherwise", () => {
  const subject: ApprovalSubject = {
    alertId: "a",
    recordKey: "supplier_invoice:FLOW:100:AAA:4711",
    kind: "invoice",
    title: "Invoice",
    amount: { amount: "10.00", currency: "EUR" },
    costCenter: "1",
    tenant: "FLOW",
    company: "100",
    recordVersion: "v",
  };
  const fallback = {
    authorize: async () => ({ allowed: false as const, code: "bands", message: "bands said no" }),
  };
  const policy = (
    list: () => Promise<{ supplier: string; invoiceNumber: string; inbn: string }[]>,
  ) =>
    createErpEligibilityPolicy({
      fallback,
      usesFlow: (t) => t === "FLOW",
      erpUserFor: async (u) => (u === "U1" ? "APPR1" : undefined),
      pendingFor: list,
    });

  it("allowed when M3 lists the invoice for the mapped ERP user, whatever the bands say", async () => {
    const p = policy(async () => [{ supplier: "S", invoiceNumber: "N", inbn: "4711" }]);
    expect(await p.authorize("U1", subject)).toEqual({ allowed: true });
  });
  it("refused when not on the list, when unmapped, and when the list cannot be read", async () => {
    const empty = policy(async () => []);
    expect(await empty.authorize("U1", subject)).toMatchObject({ code: "erp_not_on_list" });
    expect(await empty.authorize("U2", subject)).toMatchObject({ code: "erp_user_unmapped" });
    const broken = policy(() => Promise.reject(new Error("ION down")));
    expect(await broken.authorize("U1", subject)).toMatchObject({ code: "erp_list_unreadable" });
  });
  it("tenants without the flow use the routing bands", async () => {
    const p = policy(async () => [{ supplier: "S", invoiceNumber: "N", inbn: "4711" }]);
    expect(await p.authorize("U1", { ...subject, tenant: "BANDS" })).toMatchObject({
      code: "bands",
    });
  });
});
