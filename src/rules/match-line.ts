import type { InvoiceLine, PoLine, PurchaseOrder, SupplierInvoice } from "../infor/records.ts";
import {
  abs,
  add,
  cmp,
  type Decimal,
  dec,
  divide,
  isZero,
  mul,
  sign,
  sub,
  toFixed,
} from "../shared/decimal.ts";
import { type Money, minorUnits, money } from "../shared/money.ts";
import type { ExceptionDraft } from "./exception.ts";
import { formatLimit, formatMoney, formatPercent, formatQty, formatUnitPrice } from "./format.ts";
import type { MatchSettings } from "./match-policy.ts";
import { checkPrice, priceLimits } from "./price-check.ts";
import { receivedQty } from "./quantities.ts";

export interface LineContext {
  readonly invoice: SupplierInvoice;
  readonly line: InvoiceLine;
  readonly po: PurchaseOrder;
  readonly poLine: PoLine;
  readonly settings: MatchSettings;
  /** A credit note, or a negative line on an invoice. */
  readonly credit: boolean;
  /** Quantity (unsigned) on this line. */
  readonly quantity: Decimal;
  /** Invoiced on this PO line before this invoice, plus earlier lines of this invoice. */
  readonly priorInvoiced: Decimal;
  readonly owner: string | undefined;
}

/** pricePer 0 or absent means "not set" in the ERP (M3 PUCD defaults to 1): treat it as 1. */
export function pricePer(text: string | undefined): Decimal {
  if (text === undefined) return dec(1);
  const per = dec(text);
  return sign(per) > 0 ? per : dec(1);
}

/**
 * The invoice line's price quantity: its own (M3 FAPIBL PUCD) when the ERP gave one, else the PO
 * line's, which M3 copies onto a PO-matched invoice line. A "0" is M3's empty numeric field.
 */
export function invoicePricePer(line: InvoiceLine, poLine: PoLine): string {
  const own = line.pricePer;
  return own !== undefined && sign(dec(own)) > 0 ? own : poLine.pricePer;
}

function upper(text: string | undefined): string | undefined {
  const t = text?.trim().toUpperCase();
  return t ? t : undefined;
}

/** Price unit of each side: the price unit (PPUN) when given, else the order unit (PUUN). */
export function priceUnits(line: InvoiceLine, poLine: PoLine) {
  const po = upper(poLine.priceUnit) ?? upper(poLine.unit);
  return { invoice: upper(line.priceUnit) ?? po, po };
}

function poRef(ctx: LineContext): Pick<ExceptionDraft, "poNumber" | "poLine" | "poSubLine"> {
  return { poNumber: ctx.po.number, poLine: ctx.poLine.line, poSubLine: ctx.poLine.subLine };
}

function poLineText(ctx: LineContext): string {
  const sub = ctx.poLine.subLine ? `/${ctx.poLine.subLine}` : "";
  return `PO ${ctx.po.number} line ${ctx.poLine.line}${sub}`;
}

/** |quantity| × invoice unit price, rounded to the currency's minor units. */
function quantityValue(ctx: LineContext, quantity: Decimal): Money {
  const currency = ctx.line.unitPrice.currency;
  const amount = divide(
    mul(quantity, abs(dec(ctx.line.unitPrice.amount))),
    pricePer(invoicePricePer(ctx.line, ctx.poLine)),
    minorUnits(currency),
  );
  return money(amount, currency);
}

export function unitOf(ctx: LineContext): string | undefined {
  return ctx.poLine.unit || ctx.line.unit || undefined;
}

export function checkPriceVariance(ctx: LineContext): ExceptionDraft[] {
  const { line, poLine, settings } = ctx;
  const currency = line.unitPrice.currency;
  if (poLine.unitPrice.currency !== currency) return [];
  const limits = priceLimits(settings.price, currency);
  // Like with like: price per price quantity (PUCD) of the price unit (PPUN) on both sides. The
  // price unit is checked to be the same before (invoice-line.ts); when it is not the order unit
  // the quantity is not in price units, and the variance is taken on the line amount instead.
  const invPerText = invoicePricePer(line, poLine);
  const invPer = pricePer(invPerText);
  const poPer = pricePer(poLine.pricePer);
  const units = priceUnits(line, poLine);
  const orderUnit = upper(line.unit) ?? upper(poLine.unit);
  const inPriceUnits = !units.po || !orderUnit || units.po === orderUnit;
  const result = checkPrice(
    { price: abs(dec(line.unitPrice.amount)), per: invPer },
    { price: dec(poLine.unitPrice.amount), per: poPer },
    ctx.quantity,
    limits,
    ctx.credit ? -1 : 1,
    minorUnits(currency),
    inPriceUnits ? undefined : dec(line.amount.amount),
  );
  if (!result.exception) return [];
  const unit = unitOf(ctx);
  const priceUnit = units.po ?? unit;
  const invText = formatUnitPrice(
    money(abs(dec(line.unitPrice.amount)), currency),
    invPerText,
    priceUnit,
  );
  const poText = formatUnitPrice(poLine.unitPrice, poLine.pricePer, priceUnit);
  const pct = isZero(result.percentDenominator)
    ? "PO price is 0"
    : formatPercent(result.diffNumerator, result.percentDenominator, limits.percent);
  const variance = money(result.varianceAmount, currency);
  const tolParts: string[] = [];
  if (limits.percent !== undefined) tolParts.push(formatLimit(limits.percent));
  if (limits.absolute !== undefined) tolParts.push(formatMoney(money(limits.absolute, currency)));
  const tolerance = tolParts.length ? tolParts.join(" or ") : "none";
  const detail =
    limits.absolute !== undefined
      ? `${pct}, ${formatMoney(variance)} on ${formatQty(ctx.quantity, unit)}; tolerance ${tolerance}`
      : `${pct}, tolerance ${tolerance}`;
  const label = ctx.credit ? "credited unit price" : "unit price";
  return [
    {
      rule: "price_variance",
      line: line.line,
      cause: `Line ${line.line}: ${label} ${invText} vs PO ${poText} (${detail})`,
      amountAtStake: variance,
      costCenter: ctx.owner,
      ...poRef(ctx),
      facts: {
        invoicePrice: invText,
        poPrice: poText,
        invoicePriceAmount: toFixed(abs(dec(line.unitPrice.amount))),
        poPriceAmount: toFixed(dec(poLine.unitPrice.amount)),
        variancePercent: pct,
        varianceAmount: formatMoney(variance),
        tolerance,
        quantity: formatQty(ctx.quantity, unit),
      },
    },
  ];
}

function receiptFacts(poLine: PoLine): { receiptIds: string } {
  return { receiptIds: poLine.receipts.map((r) => r.id).join(",") };
}

/** Three-way: against received quantity. Two-way: against ordered quantity. */
export function checkQuantity(ctx: LineContext): ExceptionDraft[] {
  const { line, poLine, settings } = ctx;
  const unit = unitOf(ctx);
  const threeWay = settings.mode === "three_way";
  const limit = threeWay ? receivedQty(poLine) : dec(poLine.orderedQty);
  const limitWord = threeWay ? "received" : "ordered";
  const base = {
    line: line.line,
    costCenter: ctx.owner,
    ...poRef(ctx),
  };
  const common = {
    invoicedQty: formatQty(ctx.quantity, unit),
    priorInvoicedQty: formatQty(ctx.priorInvoiced, unit),
    receivedQty: formatQty(receivedQty(poLine), unit),
    orderedQty: formatQty(dec(poLine.orderedQty), unit),
    ...receiptFacts(poLine),
  };
  if (threeWay && sign(limit) <= 0) {
    return [
      {
        ...base,
        rule: "no_receipt",
        cause: `Line ${line.line}: ${formatQty(ctx.quantity, unit)} invoiced, nothing received yet on ${poLineText(ctx)}`,
        amountAtStake: money(abs(dec(line.amount.amount)), line.amount.currency),
        facts: common,
      },
    ];
  }
  const total = add(ctx.priorInvoiced, ctx.quantity);
  if (cmp(total, limit) <= 0) return [];
  const allowed = settings.quantityPercent;
  // Within the quantity tolerance when (total − limit) × 100 ≤ percent × limit, exactly.
  if (
    allowed !== undefined &&
    cmp(mul(sub(total, limit), dec(100)), mul(dec(allowed), limit)) <= 0
  ) {
    return [];
  }
  const over = sub(total, limit);
  const excess = cmp(over, ctx.quantity) > 0 ? ctx.quantity : over;
  const before = isZero(ctx.priorInvoiced)
    ? ""
    : ` + ${formatQty(ctx.priorInvoiced, unit)} invoiced before`;
  return [
    {
      ...base,
      rule: threeWay ? "quantity_over_received" : "quantity_over_ordered",
      cause:
        `Line ${line.line}: ${formatQty(ctx.quantity, unit)} invoiced${before} vs ` +
        `${formatQty(limit, unit)} ${limitWord} (${formatQty(excess, unit)} above ${limitWord}` +
        `${allowed === undefined ? "" : `, tolerance ${formatLimit(dec(allowed))}`})`,
      amountAtStake: quantityValue(ctx, excess),
      facts: { ...common, excessQty: formatQty(excess, unit) },
    },
  ];
}

/** A credit note may not give back more than was invoiced on the PO line. */
export function checkCreditQuantity(ctx: LineContext): ExceptionDraft[] {
  const { line } = ctx;
  if (cmp(ctx.quantity, ctx.priorInvoiced) <= 0) return [];
  const unit = unitOf(ctx);
  const excess = sub(ctx.quantity, ctx.priorInvoiced);
  return [
    {
      rule: "credit_over_invoiced",
      line: line.line,
      costCenter: ctx.owner,
      ...poRef(ctx),
      cause:
        `Line ${line.line}: ${formatQty(ctx.quantity, unit)} credited vs ` +
        `${formatQty(ctx.priorInvoiced, unit)} invoiced on ${poLineText(ctx)} ` +
        `(${formatQty(excess, unit)} more than invoiced)`,
      amountAtStake: quantityValue(ctx, excess),
      facts: {
        creditedQty: formatQty(ctx.quantity, unit),
        priorInvoicedQty: formatQty(ctx.priorInvoiced, unit),
        excessQty: formatQty(excess, unit),
      },
    },
  ];
}

export function checkMatchedLine(ctx: LineContext): ExceptionDraft[] {
  const quantity = ctx.credit ? checkCreditQuantity(ctx) : checkQuantity(ctx);
  return [...checkPriceVariance(ctx), ...quantity];
}
