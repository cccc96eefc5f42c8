import type { Alert, DocumentEvent, DocumentLine } from "../../alerts/alert.ts";
import { lineName } from "../../alerts/alert.ts";
import type { DecisionView } from "../../approvals/decisions.ts";
import { formatMoney } from "../../shared/money.ts";
import { decisionLine } from "../views/approval-view.ts";
import { formatTime } from "../views/format.ts";
import { APPROVAL_ACTIONS, ASK_BLOCK, approvalActions, askBlock, documentName } from "./alert.ts";
import { changeLines } from "./change-words.ts";
import { esc, header, money, supplierLabel, textSection } from "./format.ts";
import { ALERT_HEADER_BLOCK } from "./header-state.ts";
import { capBlocks, fitLines, LIMITS, truncate } from "./limits.ts";
import { recordMessage } from "./records.ts";
import type { ActionsBlock, Block, ContextBlock, SlackMessage } from "./types.ts";

/**
 * One message per document: an invoice with several exceptions is one message listing each
 * exception line with its own state (open / approved / rejected / resolved, who and when), each
 * open line with its own buttons, and a whole-invoice Approve / Reject for the lines still open.
 * Block ids name the line's approval, so a click stamps its own line (stampDocumentLine) and
 * leaves the others as they are. Pure.
 */
export const DOC_LINE_BLOCK = "doc.line:";
export const DOC_STATE_BLOCK = "doc.state:";
export const DOC_ACTIONS_BLOCK = "doc.act:";
export const DOC_ALL_BLOCK = "doc.all";

/** Whole-invoice decisions; the value is the open lines' approval ids, comma-separated. */
export const DOCUMENT_ACTIONS = {
  approveAll: "approval.doc_approve",
  rejectAll: "approval.doc_reject",
} as const;

/** Lines listed at most (3 blocks each inside Slack's 50); the rest are counted. */
const MAX_LINES = 12;

const OPEN_STATES = new Set(["pending", "hold", "escalated", "info_requested"]);

/** Several lines (or a resolved one kept beside an open one): the list layout. */
export function isMultiLine(alert: Alert): boolean {
  return (alert.document?.lines.length ?? 0) > 1;
}

/**
 * A one-line document as the exception alert it amounts to, so it looks (and is stamped) like
 * any single exception message: the line's full payload, why it resolved, or that nobody may
 * decide it here.
 */
export function singleLineAlert(alert: Alert): Alert {
  const line = alert.document?.lines[0];
  if (!line) return alert;
  // The alert's own exception payload is the line's (with why it resolved) for one line.
  const details = [...(alert.exception?.details ?? line.exception.details)];
  const { document: _drop, ...rest } = alert;
  return { ...rest, exception: { ...line.exception, details } };
}

/** The decider's own words when known (as a click stamps its line), else the plain line. */
function said(d: DecisionView): string {
  return d.stamp && d.stamp.length > 0 ? d.stamp.join(" · ") : decisionLine(d);
}

/** Where a line stands, in one context line: the approval's word if it has one, else the ERP's. */
export function lineStateText(l: DocumentLine, d: DecisionView | undefined): string {
  if (l.state === "resolved") {
    const decided = d && (d.state === "approved" || d.state === "rejected") ? ` · ${said(d)}` : "";
    return `:white_check_mark: *Resolved* at ${formatTime(l.since)}${l.resolvedReason ? `: ${esc(l.resolvedReason)}` : ""}${decided}`;
  }
  if (d && d.state !== "pending") return said(d);
  if (l.noApprover) {
    return `:warning: *Open* · no approver is set for cost center ${esc(l.costCenter ?? "(none)")} in routing.yml: decide in the ERP`;
  }
  return `:large_yellow_circle: *Open* since ${formatTime(l.since)}`;
}

function lineTitle(l: DocumentLine): string {
  return `${lineName(l)} · ${l.exception.title ?? l.exception.type}`;
}

/** The line's own buttons: the approval buttons, named for the line, under the line's block id. */
function lineActions(alert: Alert, l: DocumentLine, d: DecisionView | undefined): ActionsBlock {
  const id = l.approvalId ?? "";
  const stake = l.exception.amount ? ` (${formatMoney(l.exception.amount)} at stake)` : "";
  const base = approvalActions(
    id,
    l.allowHold,
    `${lineTitle(l).toLowerCase()}${stake} on ${docWords(alert)}`,
    d?.state === "info_requested",
  );
  return {
    ...base,
    block_id: `${DOC_ACTIONS_BLOCK}${id}`,
    elements: base.elements.map((e) =>
      e.action_id === APPROVAL_ACTIONS.approve
        ? { ...e, text: { type: "plain_text", text: `Approve ${lineName(l).toLowerCase()}` } }
        : e.action_id === APPROVAL_ACTIONS.reject
          ? { ...e, text: { type: "plain_text", text: `Reject ${lineName(l).toLowerCase()}…` } }
          : e,
    ),
  };
}

/** "invoice F1100031 from Nordic Office Supply Ltd" (plain, for dialogs and notifications). */
function docWords(alert: Alert): string {
  const r = alert.record;
  if (r?.entity !== "supplier_invoice") return "this invoice";
  return `${r.credit ? "credit note" : "invoice"} ${r.invoiceNumber} from ${r.supplierName || r.supplierId}`;
}

/** Approve / Reject every line still open, in one click (each line is checked on its own). */
export function wholeDocumentActions(alert: Alert, approvalIds: readonly string[]): ActionsBlock {
  const value = truncate(approvalIds.join(","), LIMITS.buttonValue);
  const n = approvalIds.length;
  return {
    type: "actions",
    block_id: DOC_ALL_BLOCK,
    elements: [
      {
        type: "button",
        action_id: DOCUMENT_ACTIONS.approveAll,
        text: { type: "plain_text", text: `Approve all ${n} open lines` },
        style: "primary",
        value,
        confirm: {
          title: { type: "plain_text", text: "Approve the invoice?" },
          text: {
            type: "plain_text",
            text: truncate(
              `Approve the ${n} open lines of ${docWords(alert)}? Lines already decided keep their decision. Your name and the time are recorded.`,
              LIMITS.confirmText,
            ),
          },
          confirm: { type: "plain_text", text: "Approve all" },
          deny: { type: "plain_text", text: "Cancel" },
          style: "primary",
        },
      },
      {
        type: "button",
        action_id: DOCUMENT_ACTIONS.rejectAll,
        text: { type: "plain_text", text: "Reject invoice…" },
        style: "danger",
        value,
      },
    ],
  };
}

/**
 * The list layout. `decisions` (by approval id) says where each line's approval stands; without
 * a view a line with an approval is taken as pending.
 */
export function documentMessage(
  alert: Alert,
  o: { at: Date; links?: Parameters<typeof recordMessage>[1]["links"] },
  decisions: ReadonlyMap<string, DecisionView> = new Map(),
): SlackMessage {
  const doc = alert.document;
  const lines = doc?.lines ?? [];
  const viewOf = (l: DocumentLine) => (l.approvalId ? decisions.get(l.approvalId) : undefined);
  const takesClicks = (l: DocumentLine) => {
    const d = viewOf(l);
    return l.state === "open" && !!l.approvalId && (!d || OPEN_STATES.has(d.state));
  };
  const stillOpen = lines.filter((l) => l.state === "open" && (!viewOf(l) || takesClicks(l)));
  const name = documentName(alert.record) ?? alert.recordKey;
  const record = alert.record;
  const supplier =
    record?.entity === "supplier_invoice"
      ? ` from ${supplierLabel(record.supplierId, record.supplierName)}`
      : "";
  // Said as the deciding side's own stamp says it (restateCount), so a message reads the same
  // whichever wrote it last: decided lines are "decided", lines the data closed "closed".
  const decided = lines.some((l) => {
    const d = viewOf(l);
    return d !== undefined && !OPEN_STATES.has(d.state);
  });
  const headline =
    stillOpen.length > 0
      ? `⚠️ ${name} · ${stillOpen.length} open exception${stillOpen.length === 1 ? "" : "s"}`
      : decided
        ? `✅ ${name} · every exception decided`
        : `✅ ${name} · ${lines.length} exceptions closed`;
  const blocks: Block[] = [
    { ...header(headline), block_id: ALERT_HEADER_BLOCK },
    textSection(
      `*${esc(name)}*${supplier}${record && "total" in record ? ` · ${money(record.total)}` : ""}`,
    ),
  ];
  const ask = stillOpen.some(takesClicks) ? askBlock(alert.needsDecision?.ask) : undefined;
  if (ask) blocks.push(ask.block);
  const shown = lines.slice(0, MAX_LINES);
  for (const l of shown) {
    const key = l.approvalId ?? l.id;
    const facts = l.exception.details
      .slice(0, 4)
      .map((d) => `${esc(d.label)}: ${esc(d.value)}`)
      .join(" · ");
    const stake = l.exception.amount ? `\nAt stake: ${money(l.exception.amount)}` : "";
    blocks.push({
      ...textSection(
        truncate(
          `*${esc(lineTitle(l))}*\n${esc(withoutLinePrefix(l.exception.summary))}${stake}${facts ? `\n${facts}` : ""}`,
          LIMITS.sectionText,
        ),
      ),
      block_id: `${DOC_LINE_BLOCK}${key}`,
    });
    blocks.push(stateBlock(key, lineStateText(l, viewOf(l))));
    if (takesClicks(l)) blocks.push(lineActions(alert, l, viewOf(l)));
  }
  if (lines.length > shown.length) {
    blocks.push(textSection(`_…and ${lines.length - shown.length} more lines (see the thread)_`));
  }
  const all = shown.filter(takesClicks).map((l) => l.approvalId ?? "");
  if (all.length > 1) blocks.push(wholeDocumentActions(alert, all));
  if (record) {
    const summary = recordMessage(record, {
      at: o.at,
      ...(o.links ? { links: o.links } : {}),
      ...(alert.link ? { link: alert.link } : {}),
    });
    blocks.push({ type: "divider" }, ...summary.blocks.slice(1));
  }
  const who =
    record?.entity === "supplier_invoice"
      ? ` from ${record.supplierName || record.supplierId}`
      : "";
  const text = truncate(
    esc(
      `${name}${who}: ${stillOpen.length > 0 ? `${stillOpen.length} open exception${stillOpen.length === 1 ? "" : "s"}` : "exceptions closed"} (${lines.map((l) => `${lineName(l)} ${l.exception.title ?? l.exception.type}`).join(", ")})`,
    ),
    LIMITS.fallbackText,
  );
  return {
    text: ask ? truncate(`${text} · ${ask.mentions}`, LIMITS.fallbackText) : text,
    blocks: capBlocks(blocks),
  };
}

/** "Line 1: unit price …" under the title "Line 1 · Price variance": once is enough. */
function withoutLinePrefix(summary: string): string {
  return summary.replace(/^Line \d+:\s*/, "");
}

function stateBlock(key: string, text: string): ContextBlock {
  return {
    type: "context",
    block_id: `${DOC_STATE_BLOCK}${key}`,
    elements: [{ type: "mrkdwn", text: truncate(text, LIMITS.contextText) }],
  };
}

/** Our blocks, or Slack's copy of them (views' SlackBlock): only ids and elements are read. */
interface LooseBlock {
  type: string;
  block_id?: string | undefined;
  elements?: unknown;
}

/** Whether these blocks (ours, or Slack's copy of ours) are the list layout carrying this approval. */
export function carriesDocumentLine(blocks: readonly LooseBlock[], approvalId: string): boolean {
  return blocks.some((b) => b.block_id === `${DOC_STATE_BLOCK}${approvalId}`);
}

/**
 * A click's decision stamped on its own line of a document message (Slack's copy of our blocks):
 * the line's state says who / when / why; a final decision removes the line's buttons, and the
 * whole-invoice buttons keep only the lines that still take a decision.
 */
export function stampDocumentLine<B extends LooseBlock>(
  blocks: readonly B[],
  approvalId: string,
  line: string,
  final: boolean,
): B[] {
  const out: B[] = [];
  for (const b of blocks) {
    if (b.block_id === `${DOC_STATE_BLOCK}${approvalId}`) {
      out.push({
        ...b,
        elements: [{ type: "mrkdwn", text: truncate(line, LIMITS.contextText) }],
      } as B);
      continue;
    }
    if (final && b.block_id === `${DOC_ACTIONS_BLOCK}${approvalId}`) continue;
    out.push(b);
  }
  const open = out
    .filter((b) => b.block_id?.startsWith(DOC_ACTIONS_BLOCK))
    .map((b) => (b.block_id ?? "").slice(DOC_ACTIONS_BLOCK.length));
  return out.flatMap((b) => {
    if (b.block_id === ALERT_HEADER_BLOCK) return [restateCount(b, open.length)];
    // Nobody is asked any more once no line takes a decision.
    if (b.block_id === ASK_BLOCK) return open.length > 0 ? [b] : [];
    if (b.block_id !== DOC_ALL_BLOCK) return [b];
    if (open.length < 2) return [];
    const elements = (Array.isArray(b.elements) ? b.elements : []) as { value?: string }[];
    return [{ ...b, elements: elements.map((e) => ({ ...e, value: open.join(",") })) } as B];
  });
}

/** "⚠️ Invoice 77 · 2 open exceptions" with the count of lines still taking a decision. */
function restateCount<B extends LooseBlock>(b: B, open: number): B {
  const text = (b as { text?: { text?: unknown } }).text?.text;
  if (typeof text !== "string") return b;
  const name = text.replace(/^\S+\s+/, "").split(" · ")[0] ?? text;
  const next =
    open > 0
      ? `⚠️ ${name} · ${open} open exception${open === 1 ? "" : "s"}`
      : `✅ ${name} · every exception decided`;
  return { ...b, text: { type: "plain_text", text: truncate(next, 150), emoji: true } } as B;
}

/** The thread reply of a document version: what changed, line by line. */
export function documentReplyMessage(alert: Alert, at: Date): SlackMessage {
  const doc = alert.document;
  const events = doc?.events ?? [];
  const byId = new Map((doc?.lines ?? []).map((l) => [l.id, l]));
  const name = documentName(alert.record) ?? alert.recordKey;
  const rows = events.map((e) => eventLine(e, byId.get(e.lineId), alert));
  const body =
    rows.length > 0
      ? fitLines(
          rows.map((r) => `• ${r.mrkdwn}`),
          LIMITS.sectionText,
        )
      : "_details changed_";
  const text = truncate(
    esc(`${name} updated: ${rows.map((r) => r.plain).join("; ") || "details changed"}`),
    LIMITS.fallbackText,
  );
  return {
    text,
    blocks: [
      textSection(`*${esc(name)} updated*\n${body}`),
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString().slice(0, 16).replace("T", " ")} UTC>`,
          },
        ],
      },
    ],
  };
}

function eventLine(
  e: DocumentEvent,
  l: DocumentLine | undefined,
  alert: Alert,
): { mrkdwn: string; plain: string } {
  const title = l ? lineTitle(l) : e.lineId;
  if (e.event === "opened") {
    const what = l ? `opened: ${l.exception.summary}` : "opened";
    return { mrkdwn: `*${esc(title)}* ${esc(what)}`, plain: `${title} ${what}` };
  }
  if (e.event === "resolved") {
    const why = l?.resolvedReason ? `resolved: ${l.resolvedReason}` : "resolved";
    return { mrkdwn: `*${esc(title)}* ${esc(why)}`, plain: `${title} ${why}` };
  }
  const changes = changeLines(e.changes, alert.record);
  const spelled = changes.map((c) => `${c.label}: ${c.text}`).join("; ") || "details changed";
  return { mrkdwn: `*${esc(title)}* ${esc(spelled)}`, plain: `${title} ${spelled}` };
}

/**
 * A rendered document message made consistent with its lines' approvals (delivery renders from
 * the alert, which knows nothing of clicks made since): rendered again with every line's view.
 */
export function withLineDecisions(
  message: SlackMessage,
  alert: Alert,
  views: Readonly<Record<string, DecisionView>>,
): SlackMessage {
  const again = documentMessage(
    alert,
    { at: new Date(alert.createdAt) },
    new Map(Object.entries(views)),
  );
  // Keep the record part (links, render time) as first rendered: only the lines' part changes.
  const head = again.blocks.filter((b) => !isRecordPart(b, again.blocks));
  const tail = message.blocks.slice(firstDivider(message.blocks));
  return { text: again.text, blocks: capBlocks([...head, ...tail]) };
}

function firstDivider(blocks: readonly Block[]): number {
  const i = blocks.findIndex((b) => b.type === "divider");
  return i < 0 ? blocks.length : i;
}

function isRecordPart(b: Block, blocks: readonly Block[]): boolean {
  return blocks.indexOf(b) >= firstDivider(blocks);
}
