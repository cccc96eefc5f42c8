import { invoiceStatusFromSupa } from "../../infor/mapping/m3-status.ts";
import type { InvoiceStatus } from "../../infor/records.ts";
import type { BodEnvelope } from "./envelope.ts";
import { attr, child, children, firstText, text, type XmlNode } from "./xml.ts";

/**
 * BOD nouns → canonical record candidates (pure; `parseRecord` validates them afterwards, so a
 * missing field is named there and never crashes here). Element names follow OAGIS 9/10 as Infor
 * uses them (DocumentID/ID, SupplierParty/PartyIDs/ID, amounts as <TotalAmount currencyID="EUR">).
 * Where Infor's nouns differ between products, alternatives are tried in order.
 */

export interface BodMapContext {
  /** The tenant polling uses, so a record from a BOD has the same key as the polled one. */
  tenant: string;
  /** Today (UTC) when the BOD carries no date at all. */
  today: string;
  /** "100_AAA" → company 100, division AAA (M3); a SyteLine site has no "_" → company only. */
  splitAccountingEntity?: (entity: string) => { company: string; division: string };
}

export type NounMapper = (noun: XmlNode, env: BodEnvelope, ctx: BodMapContext) => unknown;

export function splitM3AccountingEntity(entity: string): { company: string; division: string } {
  const i = entity.indexOf("_");
  return i < 0
    ? { company: entity, division: "" }
    : { company: entity.slice(0, i), division: entity.slice(i + 1) };
}

/** `2026-11-30T10:00:00Z` or `2026-11-30` → `2026-11-30`; anything else passes on to fail. */
export function isoDay(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return m ? m[1] : value;
}

function amount(node: XmlNode | undefined, ...path: string[]) {
  const value = text(node, ...path);
  if (value === undefined) return undefined;
  return { amount: value.replace(/^\+/, ""), currency: attr(node, "currencyID", ...path) ?? "" };
}

function scope(noun: XmlNode, env: BodEnvelope, ctx: BodMapContext, header: XmlNode | undefined) {
  const entity =
    env.accountingEntity ??
    attr(header, "accountingEntity", "DocumentID", "ID") ??
    attr(noun, "accountingEntity", "PartyIDs", "ID") ??
    "";
  const { company, division } = (ctx.splitAccountingEntity ?? splitM3AccountingEntity)(entity);
  const changed =
    firstText(header, ["LastModificationDateTime"]) ??
    firstText(noun, ["LastModificationDateTime"]) ??
    env.createdAt;
  const changedBy =
    firstText(header, ["LastModificationPerson", "IDs", "ID"], ["LastModificationPerson", "ID"]) ??
    undefined;
  return {
    tenant: ctx.tenant,
    company,
    division,
    source: "bod" as const,
    changedAt: isoDay(changed) ?? ctx.today,
    ...(changedBy ? { changedBy } : {}),
  };
}

const lineNo = (node: XmlNode | undefined, ...path: string[]) => {
  const t = text(node, ...path);
  return t === undefined ? undefined : Number(t);
};

/** Drops undefined values so `exactOptionalPropertyTypes` holds and zod defaults apply. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function invoiceStatusWord(code: string | undefined): InvoiceStatus {
  if (code === undefined) return "entry";
  if (/^\d+$/.test(code)) return invoiceStatusFromSupa(code, false);
  const c = code.toLowerCase();
  if (/cancel|void|delet/.test(c)) return "cancelled";
  if (/reject/.test(c)) return "rejected";
  if (/paid/.test(c)) return "paid";
  if (/post|release|journal|updated/.test(c)) return "posted";
  if (/approved/.test(c)) return "approved";
  if (/approv|pending|hold/.test(c)) return "approval";
  return "entry";
}

export const mapSupplierInvoice: NounMapper = (noun, env, ctx) => {
  const h = child(noun, "SupplierInvoiceHeader") ?? noun;
  const total = amount(h, "TotalAmount");
  const lines = children(noun, "SupplierInvoiceLine").map((l, i) =>
    compact({
      line: lineNo(l, "LineNumber") ?? i + 1,
      poNumber: text(l, "PurchaseOrderReference", "DocumentID", "ID"),
      poLine: lineNo(l, "PurchaseOrderReference", "LineNumber"),
      item: firstText(l, ["Item", "ItemID", "ID"], ["ItemID", "ID"]),
      description: firstText(l, ["Item", "Description"], ["Description"]),
      quantity: firstText(l, ["Quantity"], ["InvoicedQuantity"]),
      unit: attr(l, "unitCode", "Quantity"),
      unitPrice: amount(l, "UnitPrice", "Amount"),
      pricePer: text(l, "UnitPrice", "PerQuantity"),
      amount: amount(l, "TotalAmount") ?? amount(l, "ExtendedAmount"),
      costCenter: text(l, "CostCenterID"),
      account: firstText(l, ["GLAccount", "GLNominalAccount"], ["GLNominalAccount"]),
    }),
  );
  const statusCode = text(h, "Status", "Code");
  return compact({
    entity: "supplier_invoice",
    ...scope(noun, env, ctx, h),
    supplierId: firstText(h, ["SupplierParty", "PartyIDs", "ID"], ["SupplierParty", "ID"]),
    supplierName: text(h, "SupplierParty", "Name"),
    invoiceNumber: firstText(h, ["DocumentID", "ID"], ["AlternateDocumentID", "ID"]),
    invoiceDate: isoDay(firstText(h, ["DocumentDateTime"], ["InvoiceDateTime"])),
    dueDate: isoDay(firstText(h, ["PaymentTerm", "DueDateTime"], ["DueDateTime"])),
    accountingDate: isoDay(text(h, "AccountingDate")),
    status: invoiceStatusWord(statusCode),
    statusCode,
    total,
    vat: amount(h, "TotalTaxAmount") ?? amount(h, "Tax", "TaxAmount"),
    poNumber: text(h, "PurchaseOrderReference", "DocumentID", "ID"),
    credit: total?.amount.startsWith("-") ?? false,
    lines,
  });
};

export const mapPurchaseOrder: NounMapper = (noun, env, ctx) => {
  const h = child(noun, "PurchaseOrderHeader") ?? noun;
  const total = amount(h, "TotalAmount") ?? amount(h, "ExtendedAmount");
  const lines = children(noun, "PurchaseOrderLine").map((l, i) =>
    compact({
      line: lineNo(l, "LineNumber") ?? i + 1,
      item: firstText(l, ["Item", "ItemID", "ID"], ["ItemID", "ID"]),
      description: firstText(l, ["Item", "Description"], ["Description"]),
      orderedQty: text(l, "Quantity"),
      receivedQty: text(l, "ReceivedQuantity") ?? "0",
      unit: attr(l, "unitCode", "Quantity"),
      unitPrice: amount(l, "UnitPrice", "Amount"),
      pricePer: text(l, "UnitPrice", "PerQuantity"),
      costCenter: text(l, "CostCenterID"),
    }),
  );
  return compact({
    entity: "purchase_order",
    ...scope(noun, env, ctx, h),
    number: text(h, "DocumentID", "ID"),
    supplierId: firstText(h, ["SupplierParty", "PartyIDs", "ID"], ["SupplierParty", "ID"]),
    supplierName: text(h, "SupplierParty", "Name"),
    status: text(h, "Status", "Code")?.toLowerCase() ?? "unknown",
    statusCode: text(h, "Status", "Code"),
    buyer: firstText(h, ["BuyerParty", "Contact", "ID"], ["BuyerParty", "PartyIDs", "ID"]) ?? "",
    orderDate: isoDay(firstText(h, ["DocumentDateTime"], ["OrderDateTime"])),
    deliveryDate: isoDay(
      firstText(
        h,
        ["PromisedDeliveryDateTime"],
        ["RequiredDeliveryDateTime"],
        ["RequestedShipDateTime"],
      ),
    ),
    currency: total?.currency,
    total,
    lines,
  });
};

export const mapSupplierPartyMaster: NounMapper = (noun, env, ctx) => {
  const status = text(noun, "Status", "Code");
  const hold = text(noun, "PaymentHoldIndicator");
  return compact({
    entity: "supplier",
    ...scope(noun, env, ctx, undefined),
    id: firstText(noun, ["PartyIDs", "ID"], ["ID"]),
    name: text(noun, "Name") ?? "",
    status: status?.toLowerCase() ?? "unknown",
    currency: text(noun, "CurrencyCode"),
    country: firstText(noun, ["Location", "Address", "CountryCode"], ["Location", "CountryCode"]),
    vatNumber: firstText(noun, ["PartyIDs", "TaxID"], ["TaxID"]),
    paymentTerms: firstText(noun, ["PaymentTermID"], ["PaymentTerm", "ID"]),
    blocked: hold === "true" || /block|hold/i.test(status ?? ""),
  });
};

/**
 * A payable transaction becomes a Payment only when it is one (a payment date or a payment type
 * code): the same noun also carries invoice and adjustment entries, which polling already covers
 * as supplier invoices. Returns undefined to ignore the rest.
 */
export const mapPayableTransaction: NounMapper = (noun, env, ctx) => {
  const h = child(noun, "PayableTransactionHeader") ?? noun;
  const paymentDate = firstText(h, ["PaymentDateTime"], ["PaidDateTime"]);
  const type = firstText(h, ["TypeCode"], ["TransactionTypeCode"]) ?? attr(noun, "type");
  if (!paymentDate && !/pay/i.test(type ?? "")) return undefined;
  return compact({
    entity: "payment",
    ...scope(noun, env, ctx, h),
    supplierId: firstText(h, ["SupplierParty", "PartyIDs", "ID"], ["SupplierParty", "ID"]),
    supplierName: text(h, "SupplierParty", "Name"),
    reference: firstText(h, ["DocumentID", "ID"], ["PaymentID"]),
    invoiceNumber: firstText(
      h,
      ["SupplierInvoiceReference", "DocumentID", "ID"],
      ["DocumentReference", "DocumentID", "ID"],
    ),
    paymentDate: isoDay(paymentDate ?? firstText(h, ["TransactionDateTime"], ["DocumentDateTime"])),
    amount: amount(h, "TransactionAmount") ?? amount(h, "TotalAmount") ?? amount(h, "Amount"),
    method: text(h, "PaymentMethodCode"),
  });
};

/** Nouns we map; any other noun is accepted and ignored. */
export const NOUN_MAPPERS: Readonly<Record<string, NounMapper>> = {
  SupplierInvoice: mapSupplierInvoice,
  PurchaseOrder: mapPurchaseOrder,
  SupplierPartyMaster: mapSupplierPartyMaster,
  PayableTransaction: mapPayableTransaction,
};
