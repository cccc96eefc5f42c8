import type { InvoiceLine, PurchaseOrder, SupplierInvoice } from "../infor/records.ts";
import { recordKey } from "../infor/records.ts";
import { abs, type Decimal, dec, isZero, sum } from "../shared/decimal.ts";
import { type Money, money } from "../shared/money.ts";
import { findDuplicates } from "./duplicates.ts";
import {
  buildException,
  type ExceptionDraft,
  type ExceptionRef,
  type MatchException,
} from "./exception.ts";
import { formatMoney } from "./format.ts";
import { chargeWithoutQuantity, checkLine, findPoLine } from "./invoice-line.ts";
import { type MatchPolicy, resolveMatchSettings } from "./match-policy.ts";
import { headerOwner, lineOwner } from "./owner.ts";
import { isCreditInvoice, isLive } from "./quantities.ts";

/**
 * Three-way (or two-way) match of one supplier invoice, line by line, against its purchase
 * orders and their receipts. Pure: the caller passes the POs the invoice refers to and the
 * supplier's other invoices it knows of (for duplicates and quantities invoiced before).
 * Amounts at stake are never negative, credit notes included.
 */
export interface MatchInput {
  readonly invoice: SupplierInvoice;
  readonly purchaseOrders: readonly PurchaseOrder[];
  readonly otherInvoices?: readonly SupplierInvoice[];
}

function absMoney(m: Money): Money {
  return money(abs(dec(m.amount)), m.currency);
}

function sumLines(lines: readonly InvoiceLine[], fallback: Money): Money {
  if (lines.length === 0 || lines.some((l) => l.amount.currency !== fallback.currency)) {
    return absMoney(fallback);
  }
  return money(abs(sum(lines.map((l) => dec(l.amount.amount)))), fallback.currency);
}

function lineList(lines: readonly InvoiceLine[]): string {
  if (lines.length === 0) return "";
  return ` (${lines.length === 1 ? "line" : "lines"} ${lines.map((l) => l.line).join(", ")})`;
}

export function matchInvoice(input: MatchInput, policy: MatchPolicy): MatchException[] {
  const { invoice } = input;
  if (!isLive(invoice)) return [];
  const others = input.otherInvoices ?? [];
  const invoiceKey = recordKey(invoice);
  const currency = invoice.total.currency;
  const credit = isCreditInvoice(invoice);
  const base: Omit<ExceptionRef, "poNumber" | "poLine" | "poSubLine"> = {
    tenant: invoice.tenant,
    company: invoice.company,
    division: invoice.division,
    supplierId: invoice.supplierId,
    ...(invoice.supplierName ? { supplierName: invoice.supplierName } : {}),
    invoiceNumber: invoice.invoiceNumber,
    invoiceDate: invoice.invoiceDate,
  };
  const pos = new Map<string, PurchaseOrder>();
  for (const po of input.purchaseOrders) {
    if (po.tenant === invoice.tenant && po.company === invoice.company) pos.set(po.number, po);
  }
  const drafts: ExceptionDraft[] = [];
  const owners: (string | undefined)[] = [];
  const settingsFor = (cc: string | undefined) => resolveMatchSettings(policy, invoice.company, cc);

  const byPo = new Map<string, InvoiceLine[]>();
  // A header PO is checked (found, supplier, currency) even when no line refers to it.
  if (invoice.poNumber) byPo.set(invoice.poNumber, []);
  const noPoLines: InvoiceLine[] = [];
  for (const line of invoice.lines) {
    const poNumber = line.poNumber || invoice.poNumber;
    if (!poNumber) noPoLines.push(line);
    else byPo.set(poNumber, [...(byPo.get(poNumber) ?? []), line]);
  }
  const headerPoNumber = invoice.poNumber || [...byPo.keys()][0];
  const headerPo = headerPoNumber ? pos.get(headerPoNumber) : undefined;

  // Lines without a PO.
  if (byPo.size === 0 && !invoice.poNumber) {
    const owner = headerOwner(
      invoice,
      noPoLines.map((l) => lineOwner(invoice, l, undefined, undefined)),
      undefined,
    );
    owners.push(owner);
    if (!settingsFor(owner).allowNonPo) {
      drafts.push({
        rule: "no_po",
        line: null,
        cause: `No purchase order on invoice ${invoice.invoiceNumber} (${formatMoney(invoice.total)}); non-PO invoices need approval`,
        amountAtStake: absMoney(invoice.total),
        costCenter: owner,
        facts: { total: formatMoney(invoice.total) },
      });
    }
  } else {
    for (const line of noPoLines) {
      const owner = lineOwner(invoice, line, undefined, undefined);
      owners.push(owner);
      if (settingsFor(owner).allowNonPo) continue;
      const zeroQty = isZero(dec(line.quantity));
      if (zeroQty && isZero(dec(line.amount.amount))) continue;
      drafts.push(
        zeroQty
          ? chargeWithoutQuantity(line, owner)
          : {
              rule: "no_po",
              line: line.line,
              cause: `Line ${line.line}: ${formatMoney(line.amount)} with no purchase order`,
              amountAtStake: absMoney(line.amount),
              costCenter: owner,
              facts: { amount: formatMoney(line.amount) },
            },
      );
    }
  }

  // Signed quantity already taken by earlier lines of this invoice, per PO line.
  const taken = new Map<string, Decimal>();

  for (const [poNumber, lines] of byPo) {
    const po = pos.get(poNumber);
    const poOwner = po
      ? headerOwner(
          invoice,
          lines.map((l) => lineOwner(invoice, l, findPoLine(po, l), po)),
          po,
        )
      : headerOwner(
          invoice,
          lines.map((l) => lineOwner(invoice, l, undefined, undefined)),
          undefined,
        );
    if (!po) {
      owners.push(poOwner);
      drafts.push({
        rule: "po_not_found",
        line: null,
        discriminator: poNumber,
        poNumber,
        cause: `PO ${poNumber} not found${lineList(lines)}`,
        amountAtStake: sumLines(lines, invoice.total),
        costCenter: poOwner,
        facts: { poNumber },
      });
      continue;
    }
    if (po.supplierId !== invoice.supplierId) {
      owners.push(poOwner);
      drafts.push({
        rule: "po_supplier_mismatch",
        line: null,
        discriminator: poNumber,
        poNumber,
        cause: `PO ${poNumber} belongs to supplier ${po.supplierId}, not ${invoice.supplierId}${lineList(lines)}`,
        amountAtStake: sumLines(lines, invoice.total),
        costCenter: poOwner,
        facts: { poNumber, poSupplierId: po.supplierId },
      });
      continue;
    }
    if (po.currency !== currency) {
      drafts.push({
        rule: "currency_mismatch",
        line: null,
        discriminator: poNumber,
        poNumber,
        cause: `Invoice in ${currency} vs PO ${poNumber} in ${po.currency}`,
        amountAtStake: sumLines(lines, invoice.total),
        costCenter: poOwner,
        facts: { poNumber, invoiceCurrency: currency, poCurrency: po.currency },
      });
    }
    for (const line of lines) {
      const poLine = findPoLine(po, line);
      const owner = lineOwner(invoice, line, poLine, po);
      owners.push(owner);
      drafts.push(...checkLine(invoice, line, po, poLine, owner, credit, others, taken, policy));
    }
  }

  const owner = headerOwner(invoice, owners, headerPo);
  drafts.push(...findDuplicates(invoice, others, settingsFor(owner).duplicateWindowDays, owner));
  return drafts
    .map((d) =>
      buildException(invoiceKey, base, {
        ...d,
        amountAtStake: absMoney(d.amountAtStake),
      }),
    )
    .sort((a, b) => (a.line ?? -1) - (b.line ?? -1));
}
