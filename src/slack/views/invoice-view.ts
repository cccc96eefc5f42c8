import type { LookupAnswer } from "../commands/answer.ts";
import {
  context,
  divider,
  esc,
  escKeepMentions,
  fields,
  formatMoney,
  header,
  section,
} from "./format.ts";
import type { SlackBlock, SlackMessage } from "./types.ts";

export function invoiceView(a: Extract<LookupAnswer, { kind: "invoice" }>): SlackMessage {
  const who = a.supplier ? ` from supplier ${a.supplier}` : "";
  if (a.invoices.length === 0) {
    return {
      text: `No invoice ${a.number}${who} found.`,
      blocks: [section(`:mag: No invoice *${esc(a.number)}*${esc(who)} found.`)],
    };
  }
  const blocks: SlackBlock[] = [];
  if (a.invoices.length > 1) {
    blocks.push(
      section(
        `${a.invoices.length} invoices numbered *${esc(a.number)}*: add the supplier to narrow it, e.g. \`/infor invoice ${esc(a.invoices[0]?.invoice.supplierId ?? "<supplier>")} ${esc(a.number)}\`.`,
      ),
    );
  }
  for (const [i, item] of a.invoices.entries()) {
    const inv = item.invoice;
    if (i > 0) blocks.push(divider);
    blocks.push(
      header(`Invoice ${inv.invoiceNumber} · ${inv.supplierName ?? inv.supplierId}`),
      fields([
        ["Supplier", `${esc(inv.supplierName ?? "")} (${esc(inv.supplierId)})`],
        ["Status", esc(inv.status)],
        ["Invoice date", inv.invoiceDate],
        ["Due date", inv.dueDate ?? "–"],
        ["Total", formatMoney(inv.total)],
        ["VAT", inv.vat ? formatMoney(inv.vat) : "–"],
        ["PO", esc(inv.poNumber ?? "–")],
        ["Approval", escKeepMentions(item.approval ?? "none requested")],
      ]),
      item.exceptions.length > 0
        ? section(`:warning: *PO match*\n${item.exceptions.map((e) => `• ${esc(e)}`).join("\n")}`)
        : context(inv.poNumber ? ":white_check_mark: Matches its PO." : "No PO to match against."),
    );
    if (item.link) blocks.push(context(`<${item.link}|Open in the ERP>`));
  }
  const first = a.invoices[0]?.invoice;
  return {
    text: first
      ? `Invoice ${first.invoiceNumber} from ${first.supplierName ?? first.supplierId}: ${first.status}, ${formatMoney(first.total)}`
      : `Invoice ${a.number}`,
    blocks,
  };
}
