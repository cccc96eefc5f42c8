import type { PurchaseOrder, SupplierInvoice } from "../infor/records.ts";
import type { MatchException } from "../rules/exception.ts";
import { diffExceptions, type ResolutionCode } from "../rules/lifecycle.ts";
import { matchInvoice } from "../rules/match-invoice.ts";
import type { MatchPolicy } from "../rules/match-policy.ts";
import { type RoutingPolicy, routeException } from "../rules/routing.ts";
import { invoiceToken, poToken } from "./keys.ts";
import type { InvoiceState, OpenEntry } from "./types.ts";

/**
 * The pure half of the tracker: one invoice, the data it was matched against and what was open
 * before → what to post, edit and resolve. No I/O; the tracker turns the actions into alerts
 * (creating approvals on the way) and stores the next state.
 */
export type PlanAction =
  | {
      readonly type: "open";
      readonly exception: MatchException;
      readonly channel: string;
      /** Why routing fell back (no cost center in the ERP), for the alert. */
      readonly routeNote?: string;
      readonly occurrence: number;
    }
  | { readonly type: "update"; readonly previous: OpenEntry; readonly exception: MatchException }
  | {
      readonly type: "resolve";
      readonly entry: OpenEntry;
      readonly code: ResolutionCode;
      readonly reason: string;
    };

export interface Plan {
  readonly actions: readonly PlanAction[];
  /** Entries still open with nothing to send. */
  readonly unchanged: readonly OpenEntry[];
  readonly occurrences: Readonly<Record<string, number>>;
}

export interface PlanInput {
  readonly invoice: SupplierInvoice;
  readonly purchaseOrders: readonly PurchaseOrder[];
  readonly otherInvoices: readonly SupplierInvoice[];
  readonly previous: InvoiceState | undefined;
  readonly matchPolicy: MatchPolicy;
  readonly routingPolicy: RoutingPolicy;
}

export function planInvoice(input: PlanInput): Plan {
  const { invoice, previous } = input;
  const matchInput = {
    invoice,
    purchaseOrders: input.purchaseOrders,
    otherInvoices: input.otherInvoices,
  };
  const current = matchInvoice(matchInput, input.matchPolicy);
  const openBefore = previous?.open ?? [];
  const entryById = new Map(openBefore.map((o) => [o.exception.id, o]));
  const diff = diffExceptions(
    openBefore.map((o) => o.exception),
    current,
    matchInput,
  );
  const occurrences: Record<string, number> = { ...(previous?.occurrences ?? {}) };
  const actions: PlanAction[] = [];
  const unchanged: OpenEntry[] = [];
  for (const e of diff.opened) {
    const occurrence = (occurrences[e.id] ?? 0) + 1;
    occurrences[e.id] = occurrence;
    const route = routeException(input.routingPolicy, e);
    actions.push({
      type: "open",
      exception: e,
      channel: route.channel,
      ...(route.note ? { routeNote: route.note } : {}),
      occurrence,
    });
  }
  for (const s of diff.stillOpen) {
    const entry = entryById.get(s.previous.id);
    if (!entry) continue;
    if (s.changed) actions.push({ type: "update", previous: entry, exception: s.current });
    else unchanged.push(entry);
  }
  for (const r of diff.resolved) {
    const entry = entryById.get(r.exception.id);
    if (entry) actions.push({ type: "resolve", entry, code: r.code, reason: r.reason });
  }
  return { actions, unchanged, occurrences };
}

/** PO numbers an invoice refers to, header first, each once. */
export function poNumbersOf(invoice: SupplierInvoice): string[] {
  const numbers = [invoice.poNumber, ...invoice.lines.map((l) => l.poNumber)];
  return [...new Set(numbers.filter((n): n is string => !!n))];
}

/** Dependency token every invoice with open exceptions is registered under (recheck sweeps). */
export const OPEN_TOKEN = "open";

/**
 * What may resolve an invoice's open exceptions without the invoice changing: its purchase
 * orders (a receipt arrives, a price is corrected) and the other invoices its duplicate
 * exceptions point at (cancelled, rejected). None while nothing is open.
 */
export function dependencyTokens(invoice: SupplierInvoice, open: readonly OpenEntry[]): string[] {
  if (open.length === 0) return [];
  const tokens = [OPEN_TOKEN];
  tokens.push(...poNumbersOf(invoice).map((n) => poToken(invoice.tenant, invoice.company, n)));
  for (const o of open) {
    const other = o.exception.facts.otherInvoiceKey;
    if (other) tokens.push(invoiceToken(other));
  }
  return [...new Set(tokens)].sort();
}
