import type { InvoiceLine, PoLine, PurchaseOrder, SupplierInvoice } from "../infor/records.ts";
import { recordKey } from "../infor/records.ts";
import { abs, add, type Decimal, dec, isZero, sign, sum } from "../shared/decimal.ts";
import { type Money, money } from "../shared/money.ts";
import { findDuplicates } from "./duplicates.ts";
import {
  buildException,
  type ExceptionDraft,
  type ExceptionRef,
  type MatchException,
} from "./exception.ts";
import { formatMoney } from "./format.ts";
import { checkMatchedLine, type LineContext } from "./match-line.ts";
import { type MatchPolicy, resolveMatchSettings } from "./match-policy.ts";
import { headerOwner, lineOwner } from "./owner.ts";
import {
  isCreditInvoice,
  isLive,
  type PoLineRef,
  priorInvoicedQty,
  signedLineQty,
} from "./quantities.ts";

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

function findPoLine(po: PurchaseOrder, line: InvoiceLine): PoLine | undefined {
  if (line.poLine !== undefined) {
    const candidates = po.lines.filter((l) => l.line === line.poLine);
    if (line.poSubLine !== undefined) return candidates.find((l) => l.subLine === line.poSubLine);
    return candidates.length === 1 ? candidates[0] : candidates.find((l) => l.subLine === 0);
  }
  // No PO line on the invoice line: an item that occurs on exactly one PO line is unambiguous.
  if (!line.item) return undefined;
  const byItem = po.lines.filter((l) => l.item === line.item);
  return byItem.length === 1 ? byItem[0] : undefined;
}

function sameUnit(a: string | undefined, b: string): boolean {
  return !a || !b || a.trim().toUpperCase() === b.trim().toUpperCase();
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

function chargeWithoutQuantity(line: InvoiceLine, owner: string | undefined): ExceptionDraft {
  const what = line.description ? ` ("${line.description}")` : "";
  return {
    rule: "charge_without_quantity",
    line: line.line,
    cause: `Line ${line.line}: ${formatMoney(line.amount)} charged without a quantity${what}`,
    amountAtStake: line.amount,
    costCenter: owner,
    facts: { amount: formatMoney(line.amount) },
  };
}

function checkLine(
  invoice: SupplierInvoice,
  line: InvoiceLine,
  po: PurchaseOrder,
  poLine: PoLine | undefined,
  owner: string | undefined,
  invoiceIsCredit: boolean,
  others: readonly SupplierInvoice[],
  taken: Map<string, Decimal>,
  policy: MatchPolicy,
): ExceptionDraft[] {
  const drafts: ExceptionDraft[] = [];
  const poRef = { poNumber: po.number };
  if (line.unitPrice.currency !== invoice.total.currency) {
    drafts.push({
      rule: "currency_mismatch",
      line: line.line,
      ...poRef,
      cause: `Line ${line.line}: priced in ${line.unitPrice.currency}, invoice is in ${invoice.total.currency}`,
      amountAtStake: line.amount,
      costCenter: owner,
      facts: { lineCurrency: line.unitPrice.currency, invoiceCurrency: invoice.total.currency },
    });
  }
  if (!poLine) {
    const which =
      line.poLine !== undefined
        ? `PO ${po.number} has no line ${line.poLine}${line.poSubLine ? `/${line.poSubLine}` : ""}`
        : `no PO line given and ${line.item ? `item ${line.item}` : "no item"} matches no single line of PO ${po.number}`;
    drafts.push({
      rule: "po_line_not_found",
      line: line.line,
      ...poRef,
      cause: `Line ${line.line}: ${which}`,
      amountAtStake: line.amount,
      costCenter: owner,
      facts: { poNumber: po.number },
    });
    return drafts;
  }
  const poLineRef = { ...poRef, poLine: poLine.line, poSubLine: poLine.subLine };
  if (!sameUnit(line.unit, poLine.unit)) {
    drafts.push({
      rule: "unit_mismatch",
      line: line.line,
      ...poLineRef,
      cause: `Line ${line.line}: invoiced in ${line.unit}, PO ${po.number} line ${poLine.line} is in ${poLine.unit}`,
      amountAtStake: line.amount,
      costCenter: owner,
      facts: { invoiceUnit: line.unit ?? "", poUnit: poLine.unit },
    });
    return drafts;
  }
  const quantity = dec(line.quantity);
  if (isZero(quantity)) {
    if (!isZero(dec(line.amount.amount))) drafts.push(chargeWithoutQuantity(line, owner));
    return drafts;
  }
  const ref: PoLineRef = { poNumber: po.number, line: poLine.line, subLine: poLine.subLine };
  const refKey = `${ref.poNumber}\u0000${ref.line}\u0000${ref.subLine}`;
  const earlier = taken.get(refKey) ?? dec(0);
  const signed = signedLineQty(invoice, line);
  taken.set(refKey, add(earlier, signed));
  const prior = add(priorInvoicedQty(invoice, poLine, ref, others), earlier);
  const ctx: LineContext = {
    invoice,
    line,
    po,
    poLine,
    settings: resolveMatchSettings(policy, invoice.company, owner),
    credit: invoiceIsCredit || sign(signed) < 0,
    quantity: abs(quantity),
    priorInvoiced: sign(prior) < 0 ? dec(0) : prior,
    owner,
  };
  drafts.push(...checkMatchedLine(ctx));
  return drafts;
}
