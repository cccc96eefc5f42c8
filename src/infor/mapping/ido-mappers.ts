import type { InvoiceStatus } from "../records.ts";
import {
  decimal,
  finish,
  first,
  int,
  isoDate,
  type MapContext,
  type MapOutcome,
  moneyOf,
  type Row,
  s,
  safely,
} from "./fields.ts";

/**
 * SyteLine / CSI IDO items → canonical records (pure; never throw). Property names from the
 * IDOs in syteline-ido.md (third-party code, unverified on a tenant): SLVendors, SLPos,
 * SLPoItems, SLVchHdrs, SLLedgers. Dates arrive as "20261130 00:00:00.000", decimals with
 * 8 places; VendNum is 7 characters, zero padded (kept as the ERP shows it, trimmed).
 */

function scope(ctx: MapContext, item: Row, ...dateFields: string[]) {
  return {
    tenant: ctx.tenant,
    company: ctx.company,
    division: ctx.division,
    source: "syteline" as const,
    changedAt: isoDate(first(item, ...dateFields, "RecordDate", "CreateDate")),
  };
}

/** CSI vendor Stat: A active, I inactive, H on hold (Mongoose code list; unverified). */
export function mapIdoVendor(ctx: MapContext, item: Row): MapOutcome {
  const key = s(item, "VendNum") ?? "?";
  return safely("supplier", key, item, () => {
    const stat = s(item, "Stat") ?? "";
    const status =
      stat === "A" ? "active" : stat === "I" ? "inactive" : stat === "H" ? "on hold" : stat;
    return finish(
      "supplier",
      key,
      {
        entity: "supplier",
        ...scope(ctx, item),
        id: s(item, "VendNum"),
        name: s(item, "Name") ?? "",
        status: status || "unknown",
        blocked: stat === "H" || stat === "I",
        currency: s(item, "CurrCode"),
        country: s(item, "Country"),
        vatNumber: s(item, "TaxRegNum1"),
        paymentTerms: s(item, "TermsCode"),
      },
      item,
    );
  });
}

/** CSI PO Stat: P planned, O ordered, F filled, C complete (Mongoose code list; unverified). */
const PO_STAT: Record<string, string> = { P: "planned", O: "ordered", F: "filled", C: "complete" };

export function mapIdoPurchaseOrder(ctx: MapContext, po: Row, items: Row[]): MapOutcome {
  const key = s(po, "PoNum") ?? "?";
  const raw = { po, items };
  return safely("purchase_order", key, raw, () => {
    const currency = s(po, "CurrCode") ?? ctx.localCurrency;
    const stat = s(po, "Stat") ?? "";
    const dates = [po, ...items]
      .map((r) => isoDate(s(r, "RecordDate")))
      .filter((d): d is string => Boolean(d && /^\d{4}-\d{2}-\d{2}$/.test(d)))
      .sort();
    return finish(
      "purchase_order",
      key,
      {
        entity: "purchase_order",
        ...scope(ctx, po),
        changedAt: dates[dates.length - 1] ?? isoDate(s(po, "OrderDate")),
        number: s(po, "PoNum"),
        supplierId: s(po, "VendNum"),
        status: PO_STAT[stat] ?? (stat || "unknown"),
        statusCode: stat || undefined,
        buyer: s(po, "Buyer") ?? "",
        orderDate: isoDate(s(po, "OrderDate")),
        currency,
        total: moneyOf(s(po, "TotalCost"), currency),
        lines: items.map((i) => ({
          line: int(s(i, "PoLine")),
          subLine: int(s(i, "PoRelease")) ?? 0,
          item: s(i, "Item") ?? "",
          description: s(i, "Description") ?? "",
          orderedQty: decimal(s(i, "QtyOrdered")) ?? "0",
          receivedQty: decimal(s(i, "QtyReceived")) ?? "0",
          invoicedQty: decimal(s(i, "QtyVoucher")) ?? "0",
          unit: s(i, "UM") ?? "",
          unitPrice: moneyOf(s(i, "ItemCost"), currency),
          // CSI item lines carry no per-line receipt list in SLPoItems; receivedQty holds the total.
          receipts: [],
        })),
      },
      raw,
    );
  });
}

/**
 * AP voucher header (SLVchHdrs). Status: PreRegister = 1 → entry (pre-registered, not yet a
 * voucher); InWorkflow = 1 → approval; otherwise the voucher is posted. CSI keeps payments in
 * other IDOs, so "paid" is not derived here.
 */
export function vchStatus(item: Row): InvoiceStatus {
  if (yes(s(item, "PreRegister"))) return "entry";
  if (yes(s(item, "InWorkflow"))) return "approval";
  return "posted";
}

/** A Mongoose ListYesNo value: "1" from SyteLine, "true" from gateways that type it as boolean. */
function yes(value: string | undefined): boolean {
  return value === "1" || value?.toLowerCase() === "true";
}

export function mapIdoVoucher(ctx: MapContext, item: Row): MapOutcome {
  const key = `${s(item, "VendNum") ?? "?"}/${s(item, "InvNum") ?? "?"}`;
  return safely("supplier_invoice", key, item, () => {
    const currency = s(item, "CurrCode") ?? ctx.localCurrency;
    const amount = decimal(s(item, "InvAmt"));
    return finish(
      "supplier_invoice",
      key,
      {
        entity: "supplier_invoice",
        ...scope(ctx, item),
        supplierId: s(item, "VendNum"),
        supplierName: s(item, "VadName"),
        invoiceNumber: s(item, "InvNum"),
        invoiceDate: isoDate(s(item, "InvDate")),
        accountingDate: isoDate(s(item, "DistDate")),
        status: vchStatus(item),
        statusCode: s(item, "Type"),
        total: { amount, currency },
        poNumber: s(item, "PoNum"),
        credit: amount?.startsWith("-") === true,
        voucher: s(item, "Voucher"),
      },
      item,
    );
  });
}

/** SLLedgers row → a one-line GL voucher (CSI posts ledger rows per transaction number). */
export function mapIdoLedger(ctx: MapContext, item: Row): MapOutcome {
  const key = s(item, "TransNum") ?? "?";
  return safely("gl_voucher", key, item, () => {
    const date = isoDate(s(item, "TransDate"));
    const forAmount = s(item, "ForAmount");
    return finish(
      "gl_voucher",
      key,
      {
        entity: "gl_voucher",
        ...scope(ctx, item),
        voucher: s(item, "TransNum"),
        year: date ? Number(date.slice(0, 4)) : undefined,
        period: date ? Number(date.slice(5, 7)) : undefined,
        accountingDate: date,
        description: s(item, "Ref"),
        lines: [
          {
            line: 1,
            account: s(item, "Acct"),
            costCenter: s(item, "AcctUnit1"),
            amount:
              forAmount !== undefined && s(item, "CurrCode")
                ? moneyOf(forAmount, s(item, "CurrCode"))
                : moneyOf(s(item, "DomAmount"), ctx.localCurrency),
            text: s(item, "Ref"),
          },
        ],
      },
      item,
    );
  });
}
