import type {
  Alert,
  DigestPayload,
  ExceptionPayload,
  FieldChange,
  OpsPayload,
} from "../../alerts/alert.ts";
import { add, dec, toFixed } from "../../shared/decimal.ts";
import { formatMoney, type Money } from "../../shared/money.ts";
import { changeLines } from "./change-words.ts";
import { directCardMessage } from "./direct-card.ts";
import { documentMessage, documentReplyMessage, isMultiLine, singleLineAlert } from "./document.ts";
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
import { capBlocks, chunkLines, fitLines, LIMITS, moreLine, truncate } from "./limits.ts";
import { recordMessage } from "./records.ts";
import type { ActionsBlock, Block, SlackMessage } from "./types.ts";

export { ALERT_HEADER_BLOCK };

/** Action ids the Bolt side handles; the value is the opaque approval id only. */
export const APPROVAL_ACTIONS = {
  approve: "approval.approve",
  reject: "approval.reject",
  hold: "approval.hold",
  comment: "approval.comment",
  askInfo: "approval.ask_info",
  answerInfo: "approval.answer_info",
} as const;

export interface AlertViewOptions {
  /** Render time for the context line (inject the clock). */
  at?: Date;
  links?: LinkTemplates;
}

/**
 * Approve / Reject / Hold / Comment. Approve asks for confirmation first, naming what is being
 * approved (Slack's approval-workflow guidance: a one-click approval of money needs a second
 * look); Reject and Comment open modals (src/slack/actions), so they need no dialog.
 * `summary` is plain text, e.g. "Invoice INV-77 from Nordic Paper AB (S1001): 12,345.60 EUR".
 */
export function approvalActions(
  approvalId: string,
  allowHold = true,
  summary?: string,
  waitingForInfo = false,
): ActionsBlock {
  const value = truncate(approvalId, LIMITS.buttonValue);
  const what = summary ? `Approve ${summary}?` : "Approve this document?";
  const elements: ActionsBlock["elements"] = [
    {
      type: "button",
      action_id: APPROVAL_ACTIONS.approve,
      text: { type: "plain_text", text: "Approve" },
      style: "primary",
      value,
      confirm: {
        title: { type: "plain_text", text: "Approve?" },
        text: {
          type: "plain_text",
          text: truncate(`${what} Your name and the time are recorded.`, LIMITS.confirmText),
        },
        confirm: { type: "plain_text", text: "Approve" },
        deny: { type: "plain_text", text: "Cancel" },
        style: "primary",
      },
    },
    {
      type: "button",
      action_id: APPROVAL_ACTIONS.reject,
      text: { type: "plain_text", text: "Reject…" },
      style: "danger",
      value,
    },
  ];
  if (allowHold) {
    elements.push({
      type: "button",
      action_id: APPROVAL_ACTIONS.hold,
      text: { type: "plain_text", text: "Hold" },
      value,
    });
  }
  // The comment modal (actions/approval-comments.ts) threads a note without deciding.
  elements.push({
    type: "button",
    action_id: APPROVAL_ACTIONS.comment,
    text: { type: "plain_text", text: "Comment…" },
    value,
  });
  // Ask… sends the document back with a question; while it waits, Answer… brings it back.
  elements.push(infoButton(value, waitingForInfo));
  return { type: "actions", block_id: "approval", elements };
}

/** "Ask…" on an open approval, "Answer…" while it waits for information (actions/approval-info). */
export function infoButton(value: string, waitingForInfo: boolean) {
  return {
    type: "button" as const,
    action_id: waitingForInfo ? APPROVAL_ACTIONS.answerInfo : APPROVAL_ACTIONS.askInfo,
    text: { type: "plain_text" as const, text: waitingForInfo ? "Answer…" : "Ask…" },
    value,
  };
}

/** block_id of the line asking the eligible approvers; a decision removes it. */
export const ASK_BLOCK = "approval.ask";

/** `<@U…>, <!subteam^S…>` for the valid Slack ids among them; undefined when none. */
export function mentionText(ask: { users: readonly string[]; groups: readonly string[] }) {
  const ids = [
    ...ask.users.filter((u) => /^[UW][A-Z0-9]+$/.test(u)).map((u) => `<@${u}>`),
    ...ask.groups.filter((g) => /^S[A-Z0-9]+$/.test(g)).map((g) => `<!subteam^${g}>`),
  ];
  return ids.length === 0 ? undefined : ids.join(", ");
}

/**
 * "🔔 Your decision: @Bo Approver, @ap-approvers": the eligible approvers (users and user groups,
 * Slack's `<@U…>` and `<!subteam^S…>` mention syntax) are asked on the message itself, so the
 * post notifies them instead of waiting for someone to read the channel.
 */
export function askBlock(
  ask: { users: string[]; groups: string[] } | undefined,
): { block: Block; mentions: string } | undefined {
  const mentions = ask ? mentionText(ask) : undefined;
  if (!mentions) return undefined;
  return {
    block: {
      ...textSection(truncate(`🔔 Your decision: ${mentions}`, LIMITS.sectionText)),
      block_id: ASK_BLOCK,
    },
    mentions,
  };
}

/** What an Approve click approves, in plain words for the confirmation dialog. */
export function decisionSummary(alert: Alert): string | undefined {
  const record = alert.record;
  const doc =
    record?.entity === "supplier_invoice"
      ? `${record.credit ? "credit note" : "invoice"} ${record.invoiceNumber} from ${record.supplierName ?? record.supplierId}${record.supplierName ? ` (${record.supplierId})` : ""}`
      : record?.entity === "purchase_order"
        ? `PO ${record.number} for ${record.supplierName ?? record.supplierId}`
        : record?.entity === "payment"
          ? `payment ${record.reference} to ${record.supplierName ?? record.supplierId}`
          : undefined;
  if (alert.exception) {
    const ex = alert.exception;
    const amount = ex.amount ? ` (${formatMoney(ex.amount)} at stake)` : "";
    return `${humanize(ex.type).toLowerCase()}${amount}${doc ? ` on ${doc}` : ""}`;
  }
  const total =
    record && "total" in record
      ? record.total
      : record?.entity === "payment"
        ? record.amount
        : undefined;
  if (!doc) return undefined;
  return `${doc}${total ? `: ${formatMoney(total)}` : ""}`;
}

/** The main message for an alert (record, exception, digest or ops). */
export function alertMessage(alert: Alert, o: AlertViewOptions = {}): SlackMessage {
  const at = o.at ?? new Date(alert.createdAt);
  let message: SlackMessage;
  switch (alert.kind) {
    case "digest":
      message = digestMessage(alert.digest ?? { of: "record.new", reason: "flood", items: [] }, at);
      break;
    case "note": {
      const text = alert.note?.text ?? "";
      message = { text, blocks: [textSection(text)] };
      break;
    }
    case "ops":
      message = opsMessage(
        alert.ops ?? { code: "unknown", message: "", count: 1, examples: [] },
        at,
      );
      break;
    case "exception.opened":
    case "exception.resolved":
      if (alert.needsDecision?.dm) {
        message = directCardMessage(alert, at, o.links);
        break;
      }
      // One message per document: several lines are a list with a state and buttons each; a
      // single one looks like any exception message.
      if (isMultiLine(alert)) {
        return withRouteNote(
          alert,
          documentMessage(alert, { at, ...(o.links ? { links: o.links } : {}) }),
        );
      }
      message = exceptionMessage(alert.document ? singleLineAlert(alert) : alert, at, o.links);
      break;
    default: {
      if (alert.needsDecision?.dm) {
        message = directCardMessage(alert, at, o.links);
        break;
      }
      if (!alert.record) {
        message = {
          text: `Update for ${alert.recordKey}`,
          blocks: [textSection(esc(`Update for ${alert.recordKey}`))],
        };
        break;
      }
      message = recordMessage(alert.record, {
        at,
        ...(o.links ? { links: o.links } : {}),
        ...(alert.link ? { link: alert.link } : {}),
        ...(alert.costCenter ? { costCenter: alert.costCenter } : {}),
        ...(alert.kind === "record.new" ? { prefix: "New" } : {}),
      });
    }
  }
  message = withRouteNote(alert, message);
  if (alert.needsDecision && alert.kind !== "exception.resolved") {
    const ask = askBlock(alert.needsDecision.ask);
    message = {
      text: ask ? truncate(`${message.text} · ${ask.mentions}`, LIMITS.fallbackText) : message.text,
      blocks: [
        ...message.blocks,
        ...(ask ? [ask.block] : []),
        approvalActions(
          alert.needsDecision.approvalId,
          alert.needsDecision.allowHold,
          decisionSummary(alert),
        ),
      ],
    };
  }
  return { text: message.text, blocks: capBlocks(message.blocks) };
}

function withRouteNote(alert: Alert, message: SlackMessage): SlackMessage {
  if (
    !alert.routeNote ||
    !(alert.kind.startsWith("record.") || alert.kind === "exception.opened")
  ) {
    return message;
  }
  // Minimal on purpose: one context line, whatever the rest of the message looks like.
  return {
    ...message,
    blocks: capBlocks([
      ...message.blocks,
      { type: "context", elements: [{ type: "mrkdwn", text: `↪ ${esc(alert.routeNote)}` }] },
    ]),
  };
}

/** "Invoice F1100031" / "Credit note 77" / "PO 1000021": the document an alert is about. */
export function documentName(record: Alert["record"]): string | undefined {
  switch (record?.entity) {
    case "supplier_invoice":
      return `${record.credit ? "Credit note" : "Invoice"} ${record.invoiceNumber}`;
    case "purchase_order":
      return `PO ${record.number}`;
    case "payment":
      return `Payment ${record.reference}`;
    default:
      return undefined;
  }
}

function supplierOf(record: Alert["record"]): { id: string; name?: string } | undefined {
  if (
    record?.entity === "supplier_invoice" ||
    record?.entity === "purchase_order" ||
    record?.entity === "payment"
  ) {
    return { id: record.supplierId, ...(record.supplierName ? { name: record.supplierName } : {}) };
  }
  return undefined;
}

function exceptionMessage(alert: Alert, at: Date, links: LinkTemplates | undefined): SlackMessage {
  const ex: ExceptionPayload = alert.exception ?? {
    type: "exception",
    severity: "warning",
    summary: alert.recordKey,
    details: [],
  };
  const resolved = alert.kind === "exception.resolved";
  const icon = resolved ? "✅" : ex.severity === "critical" ? "🚨" : "⚠️";
  const what = ex.title ?? humanize(ex.type);
  const doc = documentName(alert.record);
  const supplier = supplierOf(alert.record);
  const subject = doc ? `${what} · ${doc}` : what;
  const blocks: Block[] = [
    {
      ...header(`${icon} ${resolved ? "Resolved: " : ""}${subject}`),
      block_id: ALERT_HEADER_BLOCK,
    },
  ];
  const from = supplier ? ` from ${supplierLabel(supplier.id, supplier.name)}` : "";
  blocks.push(textSection(`${doc ? `*${esc(doc)}*${from}\n` : ""}${esc(ex.summary)}`));
  // What is at stake is often one of the facts already shown (the variance amount): once is enough.
  const stake = ex.amount ? money(ex.amount) : undefined;
  const shown = new Set(ex.details.map((d) => esc(d.value)));
  const details = fieldsSection([
    ...ex.details.map((d) => [d.label, esc(d.value)] as const),
    ["At stake", stake && !shown.has(stake) ? stake : undefined],
    ["Cost center", alert.costCenter ? esc(alert.costCenter) : undefined],
  ]);
  if (details) blocks.push(details);
  const record = alert.record;
  if (record) {
    const summary = recordMessage(record, {
      at,
      ...(links ? { links } : {}),
      ...(alert.link ? { link: alert.link } : {}),
    });
    blocks.push({ type: "divider" }, ...summary.blocks.slice(1));
  } else {
    if (alert.link) blocks.push(textSection(link(alert.link, "Open in CloudSuite")));
    blocks.push(contextLine({ at }));
  }
  // Notifications show only the text: it names the document and the supplier, then the cause
  // (or, once resolved, why).
  const reason = resolved ? resolutionReason(alert) : undefined;
  const on = doc
    ? ` on ${doc.startsWith("PO ") ? doc : doc.charAt(0).toLowerCase() + doc.slice(1)}${supplier ? ` from ${supplier.name ?? supplier.id}` : ""}`
    : "";
  const text = truncate(
    esc(`${resolved ? "Resolved: " : ""}${what}${on}: ${reason ?? ex.summary}`),
    LIMITS.fallbackText,
  );
  return { text, blocks };
}

function humanize(code: string): string {
  const words = code.replace(/[_.-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Sum per currency with exact decimals; never adds across currencies. */
export function totalsByCurrency(amounts: readonly Money[]): Money[] {
  const totals = new Map<string, ReturnType<typeof dec>>();
  for (const m of amounts)
    totals.set(m.currency, add(totals.get(m.currency) ?? dec("0"), dec(m.amount)));
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, d]) => ({ currency, amount: toFixed(d) }));
}

/** "09:00–10:00" in each reader's own time zone (Slack date tokens), UTC in the fallback. */
function periodText(p: DigestPayload["period"]): string {
  if (!p) return "for this period";
  const token = (iso: string) =>
    `<!date^${Math.floor(Date.parse(iso) / 1000)}^{time}|${iso.slice(11, 16)} UTC>`;
  return `${token(p.start)}–${token(p.end)}`;
}

/** Several alerts as one message: count, total per currency, a line per record with its link. */
export function digestMessage(d: DigestPayload, at: Date): SlackMessage {
  const count = d.items.length;
  const what = d.of.startsWith("exception")
    ? "exceptions"
    : d.of === "record.updated"
      ? "updates"
      : "new records";
  const why =
    d.reason === "quiet_hours"
      ? "held during quiet hours"
      : d.reason === "period"
        ? `summary ${periodText(d.period)}, updated as records arrive`
        : "rolled up to keep the channel readable";
  const totals = totalsByCurrency(d.items.flatMap((i) => (i.amount ? [i.amount] : [])));
  const totalText = totals.length > 0 ? totals.map(money).join(" · ") : undefined;
  const blocks: Block[] = [
    header(d.reason === "period" ? `📋 ${count} new or changed records` : `${count} ${what}`),
  ];
  const fields = fieldsSection([
    ["Count", String(count)],
    ["Total", totalText],
  ]);
  if (fields) blocks.push(fields);
  const lines = d.items.map((i) => {
    const label = i.link ? link(i.link, i.title) : esc(i.title);
    // Record titles already end with their amount ("Invoice 7 from Acme: 1,234.50 EUR").
    const amount = i.amount && !i.title.includes(money(i.amount)) ? ` · ${money(i.amount)}` : "";
    return `• ${label}${amount}`;
  });
  // Room for header, fields, context and the "and N more" line inside the 50-block limit.
  const chunks = chunkLines(lines, LIMITS.sectionText);
  const room = LIMITS.messageBlocks - blocks.length - 2;
  if (chunks.length <= room) {
    for (const c of chunks) blocks.push(textSection(c));
  } else {
    let shown = 0;
    for (const c of chunks.slice(0, room)) {
      blocks.push(textSection(c));
      shown += c.split("\n").length;
    }
    blocks.push(textSection(moreLine(count - shown)));
  }
  blocks.push(contextLine({ at, extra: why }));
  const text = truncate(
    `${count} ${d.reason === "period" ? "new or changed records" : what}${totalText ? `, total ${totalText}` : ""} (${why.replace(/<!date\^[^|>]*\|([^>]*)>/g, "$1")})`,
    LIMITS.fallbackText,
  );
  return { text, blocks };
}

/**
 * Ops notices say what failed in the words of whoever reads the ops channel: a poll that fails
 * is an ERP problem, not a delivery one, and its count is of failed attempts, not of alerts.
 */
const OPS_WORDS: Readonly<Record<string, { icon: string; title: string; count: string }>> = {
  poll_failing: { icon: "🛠", title: "ERP polling is failing", count: "Failed attempts" },
  poll_recovered: {
    icon: "✅",
    title: "ERP polling works again",
    count: "Failed attempts before",
  },
  records_quarantined: { icon: "⚠️", title: "ERP records set aside", count: "Records" },
};

export function opsMessage(op: OpsPayload, at: Date): SlackMessage {
  const known = OPS_WORDS[op.code];
  const title = known ? known.title : `Delivery problem: ${op.code}`;
  const blocks: Block[] = [header(`${known?.icon ?? "🛠"} ${title}`), textSection(esc(op.message))];
  const fields = fieldsSection([[known?.count ?? "Affected alerts", String(op.count)]]);
  if (fields) blocks.push(fields);
  if (op.examples.length > 0)
    blocks.push(
      textSection(
        fitLines(
          op.examples.map((e) => `• ${esc(e)}`),
          LIMITS.sectionText,
        ),
      ),
    );
  blocks.push(contextLine({ at, extra: "cloudsuite-slack delivery" }));
  return { text: truncate(esc(`${title}: ${op.message}`), LIMITS.fallbackText), blocks };
}

/**
 * Thread reply for a later version: what changed, field by field. `summary` replaces the list in
 * the notification text; without it the text carries each change with its values, because
 * notifications and screen readers read only `text` ("Updated: Amount" says nothing).
 */
export function changeReplyMessage(
  changes: readonly FieldChange[] | undefined,
  at: Date,
  what = "Updated",
  summary?: string,
  record?: Alert["record"],
): SlackMessage {
  const list = changeLines(changes ?? [], record);
  const lines = list.map((c) => `• *${esc(c.label)}*: ${esc(c.text)}`);
  const body = lines.length > 0 ? fitLines(lines, LIMITS.sectionText) : "_details changed_";
  const spelled = list.map((c) => `${c.label}: ${c.text}`).join("; ");
  const detail = summary ?? spelled;
  const text = truncate(esc(detail ? `${what}: ${detail}` : what), LIMITS.fallbackText);
  return { text, blocks: [textSection(`*${esc(what)}*\n${body}`), contextLine({ at })] };
}

/** Why an exception resolved, as the pipeline states it (details "Resolved", or Status change). */
export function resolutionReason(alert: Alert): string | undefined {
  const detail = alert.exception?.details.find((d) => d.label === "Resolved")?.value;
  if (detail) return detail;
  const status = alert.changes?.find((c) => c.field === "Status")?.to;
  return status?.replace(/^resolved:\s*/i, "") || undefined;
}

/** The thread reply delivery posts under the message it edited. */
export function threadReplyMessage(alert: Alert, at: Date): SlackMessage {
  if (isMultiLine(alert)) return documentReplyMessage(alert, at);
  if (alert.document) alert = singleLineAlert(alert);
  if (alert.kind === "exception.resolved") {
    return changeReplyMessage(alert.changes, at, "Resolved", resolutionReason(alert), alert.record);
  }
  const doc = documentName(alert.record);
  return changeReplyMessage(
    alert.changes,
    at,
    doc ? `${doc} updated` : "Updated",
    undefined,
    alert.record,
  );
}
