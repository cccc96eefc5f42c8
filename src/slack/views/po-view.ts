import type { LookupAnswer } from "../commands/answer.ts";
import {
  context,
  divider,
  esc,
  fields,
  formatMoney,
  formatQty,
  header,
  section,
} from "./format.ts";
import type { SlackBlock, SlackMessage } from "./types.ts";

const MAX_LINES = 15;

export function poView(a: Extract<LookupAnswer, { kind: "po" }>): SlackMessage {
  const po = a.po;
  if (!po) {
    return {
      text: `No purchase order ${a.number} found.`,
      blocks: [section(`:mag: No purchase order *${esc(a.number)}* found.`)],
    };
  }
  const blocks: SlackBlock[] = [
    header(`PO ${po.number} · ${po.supplierName ?? po.supplierId}`),
    fields([
      ["Supplier", `${esc(po.supplierName ?? "")} (${esc(po.supplierId)})`],
      ["Status", esc(po.status)],
      ["Buyer", esc(po.buyer)],
      ["Order date", po.orderDate],
      ["Delivery date", po.deliveryDate ?? "–"],
      ["Total", formatMoney(po.total)],
    ]),
  ];
  if (po.lines.length > 0) {
    blocks.push(divider);
    const rows = po.lines.slice(0, MAX_LINES).map((l) => {
      const label = `${l.line}${l.subLine ? `/${l.subLine}` : ""}`;
      const what = esc(l.description || l.item || "");
      return `\`${label}\` ${what} · ordered ${formatQty(l.orderedQty)} · received ${formatQty(l.receivedQty)} · invoiced ${formatQty(l.invoicedQty)} ${esc(l.unit)}`;
    });
    blocks.push(section(`*Lines*\n${rows.join("\n")}`));
    if (po.lines.length > MAX_LINES) {
      blocks.push(context(`${po.lines.length - MAX_LINES} more lines in the ERP.`));
    }
  }
  blocks.push(
    a.exceptions.length > 0
      ? section(`:warning: *Open exceptions*\n${a.exceptions.map((e) => `• ${esc(e)}`).join("\n")}`)
      : context(":white_check_mark: No open exceptions."),
  );
  if (a.link) blocks.push(context(`<${a.link}|Open PO ${esc(po.number)} in the ERP>`));
  return {
    text: `PO ${po.number} from ${po.supplierName ?? po.supplierId}: ${po.status}, ${formatMoney(po.total)}`,
    blocks,
  };
}
