import type { InvoiceLine, PoLine, PurchaseOrder, SupplierInvoice } from "../infor/records.ts";
import { abs, add, type Decimal, dec, isZero, sign } from "../shared/decimal.ts";
import type { ExceptionDraft } from "./exception.ts";
import { formatMoney } from "./format.ts";
import { checkMatchedLine, type LineContext, priceUnits } from "./match-line.ts";
import { type MatchPolicy, resolveMatchSettings } from "./match-policy.ts";
import { type PoLineRef, priorInvoicedQty, signedLineQty } from "./quantities.ts";

/** Finding the PO line an invoice line refers to, and the checks that need it. */

export function findPoLine(po: PurchaseOrder, line: InvoiceLine): PoLine | undefined {
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

export function chargeWithoutQuantity(
  line: InvoiceLine,
  owner: string | undefined,
): ExceptionDraft {
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

export function checkLine(
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
  // A price per KG cannot be compared with a price per PCS without M3's conversion factor.
  const units = priceUnits(line, poLine);
  if (units.invoice && units.po && units.invoice !== units.po) {
    drafts.push({
      rule: "unit_mismatch",
      line: line.line,
      ...poLineRef,
      cause: `Line ${line.line}: priced per ${units.invoice}, PO ${po.number} line ${poLine.line} is priced per ${units.po}`,
      amountAtStake: line.amount,
      costCenter: owner,
      facts: { invoiceUnit: units.invoice, poUnit: units.po },
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
  const settings = resolveMatchSettings(policy, invoice.company, owner);
  const prior = add(
    priorInvoicedQty(invoice, poLine, ref, others, settings.invoicedQtyCountedAt),
    earlier,
  );
  const ctx: LineContext = {
    invoice,
    line,
    po,
    poLine,
    settings,
    credit: invoiceIsCredit || sign(signed) < 0,
    quantity: abs(quantity),
    priorInvoiced: sign(prior) < 0 ? dec(0) : prior,
    owner,
  };
  drafts.push(...checkMatchedLine(ctx));
  return drafts;
}
