import { type InvoiceLine, type PoLine, type PurchaseOrder, recordKey } from "../infor/records.ts";
import { abs, add, dec, toFixed } from "../shared/decimal.ts";
import { formatMoney } from "../shared/money.ts";
import type { MatchException } from "./exception.ts";
import { formatPrice, formatQty } from "./format.ts";
import type { MatchInput } from "./match-invoice.ts";
import { isLive, priorInvoicedQty, receivedQty } from "./quantities.ts";

/**
 * Exception lifecycle between two polls of the same invoice. Pure: the delivery side keeps the
 * previous open exceptions (by id), calls this with the freshly computed ones and the data they
 * were computed from, then posts `opened`, edits `stillOpen` whose text changed, and marks
 * `resolved` messages as resolved with `reason` in the thread.
 */
export type ResolutionCode =
  | "receipt_arrived"
  | "invoice_corrected"
  | "po_changed"
  | "invoice_cancelled"
  | "other_invoice_gone"
  | "within_tolerance"
  | "no_longer_detected";

export interface ResolvedException {
  readonly exception: MatchException;
  readonly code: ResolutionCode;
  /** Plain words, e.g. "receipt 4711 arrived for line 2 (10 of 10 received)". */
  readonly reason: string;
}

export interface StillOpen {
  readonly previous: MatchException;
  readonly current: MatchException;
  /** Cause or amount at stake differ: the message should be edited. */
  readonly changed: boolean;
}

export interface ExceptionDiff {
  readonly opened: MatchException[];
  readonly stillOpen: StillOpen[];
  readonly resolved: ResolvedException[];
}

export function diffExceptions(
  previousOpen: readonly MatchException[],
  current: readonly MatchException[],
  input: MatchInput,
): ExceptionDiff {
  const before = new Map(previousOpen.map((e) => [e.id, e]));
  const now = new Map(current.map((e) => [e.id, e]));
  const opened = current.filter((e) => !before.has(e.id));
  const stillOpen: StillOpen[] = [];
  const resolved: ResolvedException[] = [];
  for (const previous of previousOpen) {
    const next = now.get(previous.id);
    if (next) {
      const changed =
        next.cause !== previous.cause ||
        next.amountAtStake.amount !== previous.amountAtStake.amount ||
        next.amountAtStake.currency !== previous.amountAtStake.currency;
      stillOpen.push({ previous, current: next, changed });
    } else {
      resolved.push({ exception: previous, ...explain(previous, input) });
    }
  }
  return { opened, stillOpen, resolved };
}

type Explanation = { code: ResolutionCode; reason: string };

function findPoLine(e: MatchException, pos: readonly PurchaseOrder[]): PoLine | undefined {
  const po = pos.find((p) => p.number === e.ref.poNumber);
  return po?.lines.find((l) => l.line === e.ref.poLine && l.subLine === (e.ref.poSubLine ?? 0));
}

function lineLabel(e: MatchException): string {
  return `line ${e.line ?? "?"}`;
}

export function explain(e: MatchException, input: MatchInput): Explanation {
  const { invoice } = input;
  if (!isLive(invoice)) {
    return { code: "invoice_cancelled", reason: `invoice ${invoice.status}` };
  }
  const line =
    e.line === null ? undefined : invoice.lines.find((l: InvoiceLine) => l.line === e.line);
  if (e.line !== null && !line) {
    return { code: "invoice_corrected", reason: `invoice corrected: ${lineLabel(e)} removed` };
  }
  switch (e.rule) {
    case "no_receipt":
    case "quantity_over_received":
    case "quantity_over_ordered":
    case "credit_over_invoiced":
      return explainQuantity(e, line, input);
    case "price_variance":
      return explainPrice(e, line, input);
    case "currency_mismatch": {
      const po = input.purchaseOrders.find((p) => p.number === e.ref.poNumber);
      const lineCurrency = line?.unitPrice.currency;
      if (
        invoice.total.currency !== e.facts.invoiceCurrency ||
        lineCurrency !== e.facts.lineCurrency
      ) {
        return {
          code: "invoice_corrected",
          reason: `invoice corrected: now in ${lineCurrency ?? invoice.total.currency}`,
        };
      }
      return { code: "po_changed", reason: `PO ${e.ref.poNumber} now in ${po?.currency ?? "?"}` };
    }
    case "duplicate_number":
    case "duplicate_amount":
      return explainDuplicate(e, input);
    case "no_po":
      return {
        code: "invoice_corrected",
        reason: `invoice corrected: now refers to PO ${line?.poNumber || invoice.poNumber || "?"}`,
      };
    case "po_not_found":
    case "po_supplier_mismatch": {
      const po = input.purchaseOrders.find((p) => p.number === e.ref.poNumber);
      return po && po.supplierId === invoice.supplierId
        ? { code: "po_changed", reason: `PO ${e.ref.poNumber} found for supplier ${po.supplierId}` }
        : {
            code: "invoice_corrected",
            reason: `invoice corrected: no longer on PO ${e.ref.poNumber}`,
          };
    }
    default:
      return {
        code: "invoice_corrected",
        reason: `invoice corrected: ${lineLabel(e)} now matches`,
      };
  }
}

function explainQuantity(
  e: MatchException,
  line: InvoiceLine | undefined,
  input: MatchInput,
): Explanation {
  const poLine = findPoLine(e, input.purchaseOrders);
  if (!line || !poLine) return noLongerDetected();
  const unit = poLine.unit || line.unit || undefined;
  const qty = formatQty(dec(line.quantity), unit);
  const ref = { poNumber: e.ref.poNumber ?? "", line: poLine.line, subLine: poLine.subLine };
  const prior = priorInvoicedQty(input.invoice, poLine, ref, input.otherInvoices ?? []);
  const invoiced = add(abs(dec(line.quantity)), prior);
  const received = receivedQty(poLine);
  const tally = `${formatQty(received, undefined)} of ${formatQty(invoiced, undefined)} received`;
  const known = new Set((e.facts.receiptIds ?? "").split(",").filter(Boolean));
  const arrived = poLine.receipts.filter((r) => !known.has(r.id)).map((r) => r.id);
  if (arrived.length > 0 && e.rule !== "credit_over_invoiced") {
    const noun = arrived.length === 1 ? "receipt" : "receipts";
    return {
      code: "receipt_arrived",
      reason: `${noun} ${arrived.join(", ")} arrived for ${lineLabel(e)} (${tally})`,
    };
  }
  const previousQty = e.facts.invoicedQty ?? e.facts.creditedQty;
  if (previousQty !== undefined && previousQty !== qty) {
    return {
      code: "invoice_corrected",
      reason: `invoice corrected: ${lineLabel(e)} quantity now ${qty}`,
    };
  }
  if (e.rule === "quantity_over_ordered") {
    return {
      code: "po_changed",
      reason: `PO ${e.ref.poNumber} line ${poLine.line} ordered quantity now ${formatQty(dec(poLine.orderedQty), unit)}`,
    };
  }
  if (e.rule === "credit_over_invoiced") return noLongerDetected();
  return {
    code: "receipt_arrived",
    reason: `received quantity now ${formatQty(received, unit)} for ${lineLabel(e)} (${tally})`,
  };
}

function explainPrice(
  e: MatchException,
  line: InvoiceLine | undefined,
  input: MatchInput,
): Explanation {
  if (!line) return noLongerDetected();
  const was = e.facts.invoicePriceAmount;
  const nowAmount = toFixed(abs(dec(line.unitPrice.amount)));
  if (was !== undefined && was !== nowAmount) {
    const price = formatPrice({ amount: nowAmount, currency: line.unitPrice.currency });
    return { code: "invoice_corrected", reason: `invoice corrected: unit price now ${price}` };
  }
  const poLine = findPoLine(e, input.purchaseOrders);
  if (
    poLine &&
    e.facts.poPriceAmount !== undefined &&
    e.facts.poPriceAmount !== toFixed(dec(poLine.unitPrice.amount))
  ) {
    return {
      code: "po_changed",
      reason: `PO ${e.ref.poNumber} line ${poLine.line} price now ${formatPrice(poLine.unitPrice)}`,
    };
  }
  return { code: "within_tolerance", reason: "variance now within tolerance" };
}

function explainDuplicate(e: MatchException, input: MatchInput): Explanation {
  const otherKey = e.facts.otherInvoiceKey;
  const number = e.facts.otherInvoiceNumber ?? "?";
  const other = (input.otherInvoices ?? []).find((o) => recordKey(o) === otherKey);
  if (other && !isLive(other)) {
    return { code: "other_invoice_gone", reason: `invoice ${number} was ${other.status}` };
  }
  if (!other) {
    return { code: "other_invoice_gone", reason: `invoice ${number} is no longer open` };
  }
  return {
    code: "invoice_corrected",
    reason: `invoice corrected: now ${input.invoice.invoiceNumber}, ${formatMoney(input.invoice.total)} of ${input.invoice.invoiceDate}`,
  };
}

function noLongerDetected(): Explanation {
  return { code: "no_longer_detected", reason: "no longer detected on the latest data" };
}
