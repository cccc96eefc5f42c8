import type { Alert } from "../../alerts/alert.ts";
import { documentName } from "./alert.ts";
import {
  contextLine,
  esc,
  fieldsSection,
  header,
  type LinkTemplates,
  link,
  money,
  supplierLabel,
  textSection,
} from "./format.ts";
import { ALERT_HEADER_BLOCK } from "./header-state.ts";
import { LIMITS, truncate } from "./limits.ts";
import { recordLinks } from "./records.ts";
import type { Block, SlackMessage } from "./types.ts";

/**
 * An approver's own card in a direct message (routing.yml approvals.dmApprovers): what is to be
 * decided, the amount at stake, links to the documents and where the full message is. Compact
 * on purpose: the channel message carries the whole document and the thread its history. The
 * caller (alertMessage) adds the same buttons the channel message has.
 */
export function directCardMessage(
  alert: Alert,
  at: Date,
  links: LinkTemplates | undefined,
): SlackMessage {
  const ex = alert.exception;
  const record = alert.record;
  const doc = documentName(record);
  const what = ex ? (ex.title ?? humanize(ex.type)) : (doc ?? "Approval");
  const supplier =
    record && "supplierId" in record
      ? supplierLabel(record.supplierId, "supplierName" in record ? record.supplierName : undefined)
      : undefined;
  const resolved = alert.kind === "exception.resolved";
  const subject = ex && doc ? `${what} · ${doc}` : what;
  const blocks: Block[] = [
    {
      // Resolved in the ERP: nothing is left to decide (the buttons go with it).
      ...header(resolved ? `✅ Resolved: ${subject}` : `🔔 Your decision: ${subject}`),
      block_id: ALERT_HEADER_BLOCK,
    },
  ];
  const lead = doc ? `*${esc(doc)}*${supplier ? ` from ${supplier}` : ""}` : "";
  const summary = ex ? esc(ex.summary) : "";
  if (lead || summary) blocks.push(textSection([lead, summary].filter(Boolean).join("\n")));
  const total =
    record && "total" in record
      ? record.total
      : record?.entity === "payment"
        ? record.amount
        : undefined;
  const facts = fieldsSection([
    ["At stake", ex?.amount ? money(ex.amount) : undefined],
    ["Total", total ? money(total) : undefined],
    ["Due date", record?.entity === "supplier_invoice" ? record.dueDate : undefined],
    ["Cost center", alert.costCenter ? esc(alert.costCenter) : undefined],
  ]);
  if (facts) blocks.push(facts);
  if (record)
    blocks.push(
      ...recordLinks(record, {
        ...(links ? { links } : {}),
        ...(alert.link ? { link: alert.link } : {}),
      }),
    );
  else if (alert.link) blocks.push(textSection(link(alert.link, "Open in CloudSuite")));
  const from = alert.needsDecision?.dm?.from;
  blocks.push(contextLine({ at, ...(from ? { extra: `Posted in <#${from}>` } : {}) }));
  // The notification is all a locked screen shows: say that a decision is asked, and on what.
  const on = doc ? ` on ${doc}` : "";
  const text = truncate(
    esc(
      `${resolved ? "Resolved" : "Your decision"}: ${what}${ex ? on : ""}${record && "supplierName" in record && record.supplierName ? ` from ${record.supplierName}` : ""}${ex?.amount ? ` (${money(ex.amount)} at stake)` : ""}`,
    ),
    LIMITS.fallbackText,
  );
  return { text, blocks };
}

function humanize(code: string): string {
  const words = code.replace(/[_.-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
