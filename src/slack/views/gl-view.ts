import { add, dec, toFixed } from "../../shared/decimal.ts";
import type { LookupAnswer } from "../commands/answer.ts";
import { context, esc, formatMoney, header, section } from "./format.ts";
import type { SlackMessage } from "./types.ts";

const MAX_ROWS = 20;

export function glView(a: Extract<LookupAnswer, { kind: "gl" }>): SlackMessage {
  const period = a.period ? ` ${a.period.year}-${String(a.period.period).padStart(2, "0")}` : "";
  const rows: string[] = [];
  const totals = new Map<string, ReturnType<typeof dec>>();
  let count = 0;
  for (const v of a.vouchers) {
    for (const l of v.lines) {
      if (l.account.toUpperCase() !== a.account.toUpperCase()) continue;
      count += 1;
      const cur = l.amount.currency;
      totals.set(cur, add(totals.get(cur) ?? dec("0"), dec(l.amount.amount)));
      if (rows.length < MAX_ROWS) {
        rows.push(
          `• ${v.accountingDate} · ${esc(v.series ? `${v.series}/${v.voucher}` : v.voucher)} · ${formatMoney(l.amount)}${l.text ? ` · ${esc(l.text)}` : ""}`,
        );
      }
    }
  }
  if (count === 0) {
    return {
      text: `No postings on account ${a.account}${period}.`,
      blocks: [section(`:mag: No postings on account *${esc(a.account)}*${period}.`)],
    };
  }
  const totalText = [...totals.entries()]
    .map(([currency, amount]) => formatMoney({ amount: toFixed(amount, 2), currency }))
    .join(" · ");
  const blocks = [
    header(`GL ${a.account}${period}`),
    section(`*Total* ${totalText} over ${count} posting${count === 1 ? "" : "s"}`),
    section(`*Recent postings*\n${rows.join("\n")}`),
  ];
  if (count > MAX_ROWS) blocks.push(context(`${count - MAX_ROWS} more postings not shown.`));
  return { text: `GL ${a.account}${period}: ${totalText}`, blocks };
}
