import type {
  CanonicalRecord,
  GlVoucher,
  Payment,
  PurchaseOrder,
  Supplier,
  SupplierInvoice,
} from "../../infor/records.ts";
import { recordId } from "../../infor/records.ts";
import {
  companyLabel,
  contextLine,
  type DocumentRef,
  documentLink,
  esc,
  fieldsSection,
  header,
  type LinkTemplates,
  link,
  money,
  recordLink,
  supplierLabel,
  textSection,
} from "./format.ts";
import { fitLines, LIMITS, truncate } from "./limits.ts";
import type { Block, SlackMessage } from "./types.ts";

export interface RecordViewOptions {
  /** When the message is rendered (context line); injected for pure, testable output. */
  at: Date;
  links?: LinkTemplates;
  /** Overrides the template link (e.g. an alert that already carries one). */
  link?: string;
  /** Prefix for the header and fallback, e.g. "New" or "Updated". */
  prefix?: string;
  costCenter?: string;
}

/** The links line of a record's summary alone (an approver's card shows no full summary). */
export function recordLinks(
  record: CanonicalRecord,
  o: Pick<RecordViewOptions, "links" | "link">,
): Block[] {
  switch (record.entity) {
    case "supplier_invoice":
      return linksLine(
        record,
        `${record.credit ? "Credit note" : "Invoice"} ${record.invoiceNumber}`,
        [
          { entity: "purchase_order", id: record.poNumber, label: `PO ${record.poNumber ?? ""}` },
          supplierRef(record.supplierId, record.supplierName),
        ],
        o,
      );
    case "purchase_order":
      return linksLine(
        record,
        `PO ${record.number}`,
        [supplierRef(record.supplierId, record.supplierName)],
        o,
      );
    case "payment":
      return linksLine(
        record,
        `Payment ${record.reference}`,
        [supplierRef(record.supplierId, record.supplierName)],
        o,
      );
    default:
      return linksLine(record, recordId(record), [], o);
  }
}

function supplierRef(id: string, name: string | undefined): Related {
  return { entity: "supplier", id, label: `Supplier ${name ?? id}` };
}

/** Lines shown under a summary before "…and N more" (the section text limit also applies). */
const MAX_LINES = 15;

/** A document the record names (its PO, its supplier), linked beside the record itself. */
interface Related {
  entity: DocumentRef["entity"];
  id: string | undefined;
  label: string;
}

/**
 * The record's own link, then its PO's and supplier's, each through the tenant's templates:
 * whoever decides can open every document the message is about. Nothing without templates.
 */
function linksLine(
  record: CanonicalRecord,
  title: string,
  related: readonly Related[],
  o: Pick<RecordViewOptions, "links" | "link">,
): Block[] {
  const own = o.link ?? recordLink(record, o.links);
  const scope = { tenant: record.tenant, company: record.company, division: record.division };
  const others = related.flatMap((r) => {
    const url = r.id ? documentLink({ ...scope, entity: r.entity, id: r.id }, o.links) : undefined;
    return url ? [link(url, r.label)] : [];
  });
  const parts = [...(own ? [link(own, `Open ${title} in CloudSuite`)] : []), ...others];
  return parts.length > 0 ? [textSection(parts.join(" · "))] : [];
}

function finish(
  record: CanonicalRecord,
  title: string,
  fallback: string,
  body: Block[],
  o: RecordViewOptions,
  related: readonly Related[] = [],
): SlackMessage {
  const headline = o.prefix ? `${o.prefix}: ${title}` : title;
  const blocks: Block[] = [header(headline), ...body, ...linksLine(record, title, related, o)];
  blocks.push(
    contextLine({
      source: record.source,
      at: o.at,
      extra: companyLabel(record.company, record.division),
    }),
  );
  const text = truncate(esc(o.prefix ? `${o.prefix}: ${fallback}` : fallback), LIMITS.fallbackText);
  return { text, blocks };
}

function linesSection(lines: string[]): Block[] {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, MAX_LINES);
  if (lines.length > MAX_LINES) shown.push(`_…and ${lines.length - MAX_LINES} more lines_`);
  return [textSection(fitLines(shown, LIMITS.sectionText))];
}

export function invoiceMessage(inv: SupplierInvoice, o: RecordViewOptions): SlackMessage {
  const kind = inv.credit ? "Credit note" : "Invoice";
  const title = `${kind} ${inv.invoiceNumber}`;
  const supplier = supplierLabel(inv.supplierId, inv.supplierName);
  const fields = fieldsSection([
    ["Supplier", supplier],
    // "Total", not "Amount": an exception above it shows the amount at stake.
    ["Total", money(inv.total)],
    ["VAT", inv.vat ? money(inv.vat) : undefined],
    ["Status", esc(inv.status)],
    ["Invoice date", inv.invoiceDate],
    ["Due date", inv.dueDate],
    ["PO", inv.poNumber ? esc(inv.poNumber) : undefined],
    ["Cost center", esc(o.costCenter ?? inv.costCenter ?? "")],
    ["Batch", inv.batchNumber ? esc(inv.batchNumber) : undefined],
    ["Voucher", inv.voucher ? esc(inv.voucher) : undefined],
  ]);
  const lines = inv.lines.map((l) => {
    const what = esc(
      l.description || l.item || (l.poNumber ? `PO ${l.poNumber}/${l.poLine ?? ""}` : ""),
    );
    return `${l.line}. ${what} · ${esc(l.quantity)} ${esc(l.unit ?? "")} · ${money(l.amount)}`.replace(
      /\s+·/g,
      " ·",
    );
  });
  const fallback = `${title} from ${inv.supplierName ?? inv.supplierId}: ${money(inv.total)}`;
  return finish(inv, title, fallback, [...(fields ? [fields] : []), ...linesSection(lines)], o, [
    { entity: "purchase_order", id: inv.poNumber, label: `PO ${inv.poNumber ?? ""}` },
    supplierRef(inv.supplierId, inv.supplierName),
  ]);
}

export function purchaseOrderMessage(po: PurchaseOrder, o: RecordViewOptions): SlackMessage {
  const title = `PO ${po.number}`;
  const fields = fieldsSection([
    ["Supplier", supplierLabel(po.supplierId, po.supplierName)],
    ["Total", money(po.total)],
    ["Status", esc(po.status)],
    ["Buyer", po.buyer ? esc(po.buyer) : undefined],
    ["Order date", po.orderDate],
    ["Delivery date", po.deliveryDate],
    ["Cost center", esc(o.costCenter ?? po.costCenter ?? "")],
  ]);
  const lines = po.lines.map((l) => {
    const what = esc(l.description || l.item || `line ${l.line}`);
    return `${l.line}. ${what} · ordered ${esc(l.orderedQty)} · received ${esc(l.receivedQty)} ${esc(l.unit)} · ${money(l.unitPrice)}/${esc(l.pricePer)}`;
  });
  const fallback = `${title} for ${po.supplierName ?? po.supplierId}: ${money(po.total)}`;
  return finish(po, title, fallback, [...(fields ? [fields] : []), ...linesSection(lines)], o, [
    supplierRef(po.supplierId, po.supplierName),
  ]);
}

export function paymentMessage(p: Payment, o: RecordViewOptions): SlackMessage {
  const title = `Payment ${p.reference}`;
  const fields = fieldsSection([
    ["Supplier", supplierLabel(p.supplierId, p.supplierName)],
    ["Amount", money(p.amount)],
    ["Payment date", p.paymentDate],
    ["Invoice", p.invoiceNumber ? esc(p.invoiceNumber) : undefined],
    ["Method", p.method ? esc(p.method) : undefined],
    ["Cost center", esc(o.costCenter ?? p.costCenter ?? "")],
  ]);
  const fallback = `${title} to ${p.supplierName ?? p.supplierId}: ${money(p.amount)}`;
  return finish(p, title, fallback, fields ? [fields] : [], o, [
    supplierRef(p.supplierId, p.supplierName),
  ]);
}

export function glVoucherMessage(v: GlVoucher, o: RecordViewOptions): SlackMessage {
  const id = recordId(v);
  const title = `GL voucher ${id}`;
  const fields = fieldsSection([
    ["Accounting date", v.accountingDate],
    [
      "Period",
      v.year !== undefined && v.period !== undefined
        ? `${v.year}-${String(v.period).padStart(2, "0")}`
        : undefined,
    ],
    ["Description", v.description ? esc(v.description) : undefined],
    ["Lines", String(v.lines.length)],
    ["Cost center", o.costCenter ? esc(o.costCenter) : undefined],
  ]);
  const lines = v.lines.map(
    (l) =>
      `${l.line}. ${esc(l.account)}${l.costCenter ? ` / ${esc(l.costCenter)}` : ""} · ${money(l.amount)}${l.text ? ` · ${esc(l.text)}` : ""}`,
  );
  const fallback = `${title} (${v.accountingDate}), ${v.lines.length} lines`;
  return finish(v, title, fallback, [...(fields ? [fields] : []), ...linesSection(lines)], o);
}

export function supplierMessage(s: Supplier, o: RecordViewOptions): SlackMessage {
  const title = `Supplier ${s.name || s.id}`;
  const fields = fieldsSection([
    ["Supplier", supplierLabel(s.id, s.name)],
    ["Status", `${esc(s.status)}${s.blocked ? " (blocked)" : ""}`],
    ["Currency", s.currency ? esc(s.currency) : undefined],
    ["Country", s.country ? esc(s.country) : undefined],
    ["Payment terms", s.paymentTerms ? esc(s.paymentTerms) : undefined],
  ]);
  const fallback = `${title} (${s.id})${s.blocked ? " is blocked" : ""}`;
  return finish(s, title, fallback, fields ? [fields] : [], o);
}

/** The summary for any canonical record (accounts get a plain one). */
export function recordMessage(record: CanonicalRecord, o: RecordViewOptions): SlackMessage {
  switch (record.entity) {
    case "supplier_invoice":
      return invoiceMessage(record, o);
    case "purchase_order":
      return purchaseOrderMessage(record, o);
    case "payment":
      return paymentMessage(record, o);
    case "gl_voucher":
      return glVoucherMessage(record, o);
    case "supplier":
      return supplierMessage(record, o);
    case "account": {
      const title = `Account ${record.dimension}/${record.id}`;
      const fields = fieldsSection([
        ["Name", esc(record.name)],
        ["Status", esc(record.status)],
      ]);
      return finish(record, title, `${title} ${record.name}`, fields ? [fields] : [], o);
    }
  }
}
