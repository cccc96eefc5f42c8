import type {
  GlVoucher,
  Payment,
  PurchaseOrder,
  Supplier,
  SupplierInvoice,
} from "../../infor/records.ts";
import { recordKey } from "../../infor/records.ts";
import type { LookupService } from "../lookup-service.ts";
import type { GlPeriod, InforCommand } from "./parse.ts";

/** Plain data an answer is made of: cached in Redis as JSON and rendered by `views/`. */
export type LookupAnswer =
  | { kind: "po"; number: string; po?: PurchaseOrder; exceptions: string[]; link?: string }
  | {
      kind: "invoice";
      number: string;
      supplier?: string;
      invoices: {
        invoice: SupplierInvoice;
        approval?: string;
        exceptions: string[];
        link?: string;
      }[];
    }
  | {
      kind: "supplier";
      query: string;
      matches: Supplier[];
      activity?: { invoices: SupplierInvoice[]; payments: Payment[] };
    }
  | { kind: "payment"; reference: string; payments: Payment[] }
  | { kind: "gl"; account: string; period?: GlPeriod; vouchers: GlVoucher[] };

export type LookupCommand = Extract<
  InforCommand,
  { kind: "po" | "invoice" | "supplier" | "payment" | "gl" }
>;

export function isLookup(c: InforCommand): c is LookupCommand {
  return ["po", "invoice", "supplier", "payment", "gl"].includes(c.kind);
}

/** Cache key part for a lookup: the normalized command (ERP keys are case-insensitive in M3). */
export function lookupKey(c: LookupCommand): string {
  switch (c.kind) {
    case "po":
      return `po:${c.number.toUpperCase()}`;
    case "invoice":
      return `invoice:${c.supplier?.toUpperCase() ?? ""}:${c.number.toUpperCase()}`;
    case "supplier":
      return `supplier:${c.byId ? "id" : "name"}:${c.query.toLowerCase()}`;
    case "payment":
      return `payment:${c.reference.toUpperCase()}`;
    case "gl":
      return `gl:${c.account.toUpperCase()}:${c.period ? `${c.period.year}-${c.period.period}` : ""}`;
  }
}

/** Whether the lookup found anything (a "not found" answer is not worth sharing). */
export function answerFound(a: LookupAnswer): boolean {
  switch (a.kind) {
    case "po":
      return a.po !== undefined;
    case "invoice":
      return a.invoices.length > 0;
    case "supplier":
      return a.matches.length > 0;
    case "payment":
      return a.payments.length > 0;
    case "gl":
      return a.vouchers.length > 0;
  }
}

/** How many supplier matches make a pick list instead of a card. */
export const PICK_LIST_MAX = 8;

export async function runLookup(c: LookupCommand, lookups: LookupService): Promise<LookupAnswer> {
  switch (c.kind) {
    case "po": {
      const po = await lookups.getPurchaseOrder(c.number);
      if (!po) return { kind: "po", number: c.number, exceptions: [] };
      const key = recordKey(po);
      const exceptions = (await lookups.poExceptions?.(po)) ?? [];
      const link = lookups.recordUrl?.(key);
      return { kind: "po", number: c.number, po, exceptions, ...(link ? { link } : {}) };
    }
    case "invoice": {
      const found = await lookups.findInvoices(
        c.supplier === undefined
          ? { number: c.number }
          : { number: c.number, supplier: c.supplier },
      );
      const invoices = await Promise.all(
        found.slice(0, 5).map(async (invoice) => {
          const key = recordKey(invoice);
          const approval = await lookups.approvalState?.(key);
          const exceptions = (await lookups.openExceptions?.(key)) ?? [];
          const link = lookups.recordUrl?.(key);
          return {
            invoice,
            exceptions,
            ...(approval ? { approval } : {}),
            ...(link ? { link } : {}),
          };
        }),
      );
      return {
        kind: "invoice",
        number: c.number,
        ...(c.supplier ? { supplier: c.supplier } : {}),
        invoices,
      };
    }
    case "supplier": {
      const matches = await lookups.searchSuppliers({ text: c.query, byId: c.byId });
      const one = matches.length === 1 ? matches[0] : undefined;
      const activity = one ? await lookups.supplierActivity?.(one.id) : undefined;
      return {
        kind: "supplier",
        query: c.query,
        matches: matches.slice(0, PICK_LIST_MAX + 1),
        ...(activity ? { activity } : {}),
      };
    }
    case "payment":
      return {
        kind: "payment",
        reference: c.reference,
        payments: (await lookups.findPayments(c.reference)).slice(0, 10),
      };
    case "gl":
      return {
        kind: "gl",
        account: c.account,
        ...(c.period ? { period: c.period } : {}),
        vouchers: await lookups.glPostings(c.account, c.period),
      };
  }
}
