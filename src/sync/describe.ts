import type { FieldChange as DeliveryFieldChange } from "../alerts/alert.ts";
import type { Entity } from "../infor/records.ts";
import { type Canonical, isPlainObject } from "./canonical.ts";
import type { FieldChange } from "./diff.ts";
import type { PollKey } from "./keys.ts";

/** Human words for what a poll key watches, for ops messages. Pure. */
const ENTITY_WORDS: Record<Entity, string> = {
  supplier: "suppliers",
  purchase_order: "purchase orders",
  supplier_invoice: "supplier invoices",
  payment: "payments",
  gl_voucher: "GL vouchers",
  account: "accounts and cost centers",
};

export function describeKey(k: PollKey): string {
  const division = k.division ? ` division ${k.division}` : "";
  return `${ENTITY_WORDS[k.entity]} of ${k.tenant} company ${k.company}${division}`;
}

const MAX_TEXT = 120;

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** A changed value as a person reads it: money with its currency, a line by its number. */
export function describeValue(v: Canonical | undefined, currency?: string): string | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === "") return "(empty)";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
    const text = String(v);
    return clip(currency ? `${text} ${currency}` : text);
  }
  if (Array.isArray(v)) return v.length === 1 ? "1 item" : `${v.length} items`;
  if (isPlainObject(v)) {
    if (typeof v.amount === "string" && typeof v.currency === "string") {
      return `${v.amount} ${v.currency}`;
    }
    if (typeof v.line === "number") {
      const what = [v.item, v.description].filter((x) => typeof x === "string" && x).join(" ");
      return clip(`line ${v.line}${what ? ` ${what}` : ""}`);
    }
    if (typeof v.id === "string") return clip(v.id);
  }
  return clip(JSON.stringify(v));
}

/** Our field diff as the delivery alert carries it (human-readable from/to). */
export function toAlertChanges(changes: readonly FieldChange[]): DeliveryFieldChange[] {
  return changes.map((c) => {
    const out: DeliveryFieldChange = { field: c.path };
    const from = describeValue(c.before, c.currency);
    const to = describeValue(c.after, c.currency);
    if (from !== undefined) out.from = from;
    if (to !== undefined) out.to = to;
    return out;
  });
}
