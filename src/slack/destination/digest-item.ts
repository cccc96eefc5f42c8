import type { Alert, DigestItem } from "../../alerts/alert.ts";
import { type LinkTemplates, recordLink } from "../blocks/format.ts";
import { recordMessage } from "../blocks/records.ts";

/** One line of a digest message: the record's own message text, its amount and link. */
export function digestItem(a: Alert, links: LinkTemplates | undefined): DigestItem {
  const title = a.record
    ? recordMessage(a.record, { at: new Date(a.createdAt) }).text
    : (a.exception?.summary ?? a.recordKey);
  const amount = a.exception?.amount ?? amountOf(a);
  const link = a.link ?? (a.record ? recordLink(a.record, links) : undefined);
  return {
    alertId: a.id,
    recordKey: a.recordKey,
    title:
      a.kind === "exception.opened" && a.exception
        ? `${a.exception.title ?? a.exception.type}: ${title}`
        : title,
    ...(amount ? { amount } : {}),
    ...(link ? { link } : {}),
  };
}

function amountOf(a: Alert) {
  const r = a.record;
  if (!r) return undefined;
  switch (r.entity) {
    case "supplier_invoice":
    case "purchase_order":
      return r.total;
    case "payment":
      return r.amount;
    default:
      return undefined;
  }
}
