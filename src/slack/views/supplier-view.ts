import { type LookupAnswer, PICK_LIST_MAX } from "../commands/answer.ts";
import { button, context, esc, fields, formatMoney, header, section } from "./format.ts";
import type { SlackBlock, SlackMessage } from "./types.ts";

/** Action id of the pick-list buttons; the value is the supplier id. */
export const SUPPLIER_PICK_ACTION = "lookup.supplier.pick";

export function supplierView(a: Extract<LookupAnswer, { kind: "supplier" }>): SlackMessage {
  if (a.matches.length === 0) {
    return {
      text: `No supplier matches "${a.query}".`,
      blocks: [section(`:mag: No supplier matches *${esc(a.query)}*.`)],
    };
  }
  const [only] = a.matches;
  if (a.matches.length === 1 && only) {
    const blocks: SlackBlock[] = [
      header(`Supplier ${only.id} · ${only.name}`),
      fields([
        ["Name", esc(only.name)],
        ["Status", `${esc(only.status)}${only.blocked ? " · :no_entry: blocked" : ""}`],
        ["Currency", only.currency ?? "–"],
        ["Country", only.country ?? "–"],
        ["Payment terms", esc(only.paymentTerms ?? "–")],
        ["VAT number", esc(only.vatNumber ?? "–")],
      ]),
    ];
    const inv = a.activity?.invoices.slice(0, 5) ?? [];
    const pay = a.activity?.payments.slice(0, 5) ?? [];
    if (inv.length > 0) {
      blocks.push(
        section(
          `*Recent invoices*\n${inv.map((i) => `• ${esc(i.invoiceNumber)} · ${i.invoiceDate} · ${formatMoney(i.total)} · ${esc(i.status)}`).join("\n")}`,
        ),
      );
    }
    if (pay.length > 0) {
      blocks.push(
        section(
          `*Recent payments*\n${pay.map((p) => `• ${esc(p.reference)} · ${p.paymentDate} · ${formatMoney(p.amount)}`).join("\n")}`,
        ),
      );
    }
    if (a.activity && inv.length === 0 && pay.length === 0)
      blocks.push(context("No recent activity."));
    return { text: `Supplier ${only.id} ${only.name}: ${only.status}`, blocks };
  }
  const shown = a.matches.slice(0, PICK_LIST_MAX);
  const blocks: SlackBlock[] = [
    section(
      `${a.matches.length > PICK_LIST_MAX ? "More than " : ""}${shown.length} suppliers match *${esc(a.query)}*. Pick one:`,
    ),
    ...shown.map((s) =>
      section(`*${esc(s.name)}* · ${esc(s.id)}${s.country ? ` · ${s.country}` : ""}`, {
        accessory: button("Show", SUPPLIER_PICK_ACTION, s.id),
      }),
    ),
  ];
  if (a.matches.length > PICK_LIST_MAX) blocks.push(context("Add more words to narrow the list."));
  return { text: `${shown.length} suppliers match "${a.query}"`, blocks };
}
