import type { LookupAnswer } from "../commands/answer.ts";
import { esc, fields, formatMoney, header, section } from "./format.ts";
import type { SlackBlock, SlackMessage } from "./types.ts";

export function paymentView(a: Extract<LookupAnswer, { kind: "payment" }>): SlackMessage {
  if (a.payments.length === 0) {
    return {
      text: `No payment found for ${a.reference}.`,
      blocks: [section(`:mag: No payment found for *${esc(a.reference)}*.`)],
    };
  }
  const blocks: SlackBlock[] = [header(`Payments for ${a.reference}`)];
  for (const p of a.payments) {
    blocks.push(
      fields([
        ["Reference", esc(p.reference)],
        ["Supplier", `${esc(p.supplierName ?? "")} (${esc(p.supplierId)})`],
        ["Paid on", p.paymentDate],
        ["Amount", formatMoney(p.amount)],
        ["Invoice", esc(p.invoiceNumber ?? "–")],
        ["Method", esc(p.method ?? "–")],
      ]),
    );
  }
  const first = a.payments[0];
  return {
    text: first
      ? `Payment ${first.reference}: ${formatMoney(first.amount)} on ${first.paymentDate}`
      : `Payments for ${a.reference}`,
    blocks,
  };
}
