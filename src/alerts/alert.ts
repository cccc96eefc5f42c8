import { createHash } from "node:crypto";
import { z } from "zod";
import type { CanonicalRecord } from "../infor/records.ts";
import { canonicalRecordSchema, isValidatedRecord, recordKey } from "../infor/records.ts";
import { moneySchema } from "../shared/money.ts";

/**
 * A destination-neutral alert: what happened, to which record, for which cost center, and where
 * it goes. Rendering (Block Kit for Slack) is the destination's job; delivery only moves it.
 */
export const alertKindSchema = z.enum([
  "record.new",
  "record.updated",
  "exception.opened",
  "exception.resolved",
  "digest",
  "ops",
  "note",
]);
export type AlertKind = z.infer<typeof alertKindSchema>;

export const fieldChangeSchema = z.object({
  field: z.string().min(1),
  /** Human-readable before/after values (amounts already formatted with their currency). */
  from: z.string().optional(),
  to: z.string().optional(),
});
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const exceptionPayloadSchema = z.object({
  /** e.g. price_variance, quantity_mismatch, missing_receipt, duplicate_invoice */
  type: z.string().min(1),
  /** The rule's name in words ("No purchase order"); renderers fall back to `type`. */
  title: z.string().optional(),
  severity: z.enum(["info", "warning", "critical"]).default("warning"),
  summary: z.string().min(1),
  details: z.array(z.object({ label: z.string(), value: z.string() })).default([]),
  amount: moneySchema.optional(),
});
export type ExceptionPayload = z.infer<typeof exceptionPayloadSchema>;

export const digestItemSchema = z.object({
  alertId: z.string(),
  recordKey: z.string(),
  title: z.string(),
  amount: moneySchema.optional(),
  link: z.string().optional(),
});
export type DigestItem = z.infer<typeof digestItemSchema>;

export const digestPayloadSchema = z.object({
  /** The kind of the alerts rolled up (record.new, exception.opened, …). */
  of: alertKindSchema,
  /** `period`: a channel's summary for a period (routing.yml noise: digest), edited in place. */
  reason: z.enum(["flood", "quiet_hours", "period"]),
  items: z.array(digestItemSchema),
  /** The summary's period (ISO instants), for `period` digests. */
  period: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }).optional(),
});
export type DigestPayload = z.infer<typeof digestPayloadSchema>;

export const opsPayloadSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  count: z.number().int().nonnegative().default(1),
  examples: z.array(z.string()).default([]),
});
export type OpsPayload = z.infer<typeof opsPayloadSchema>;

/**
 * A reply in the thread of a message already posted (comments, decision notices, reminders):
 * paced with its channel and posted exactly once like every other alert. `text` is mrkdwn built
 * by our own code (user text in it already escaped).
 */
export const notePayloadSchema = z.object({
  text: z.string().min(1).max(3000),
  threadTs: z.string().regex(/^\d+\.\d+$/),
});
export type NotePayload = z.infer<typeof notePayloadSchema>;

export const decisionSchema = z.object({
  /** Opaque approval id carried in the buttons' value; never an amount or a name. */
  approvalId: z.string().min(1).max(200),
  /** Offer "Hold" beside Approve / Reject. */
  allowHold: z.boolean().default(true),
  /** Who is asked: the eligible approvers' Slack user and user-group ids (mentioned on the post). */
  ask: z
    .object({ users: z.array(z.string()).default([]), groups: z.array(z.string()).default([]) })
    .optional(),
  /**
   * Set on an approver's own card in a direct message: who it asks (Slack user id) and the
   * channel holding the full message. The card has the same buttons as the channel message.
   */
  dm: z.object({ user: z.string().min(1), from: z.string().min(1) }).optional(),
});

/**
 * One exception line of a document alert (one message per invoice): its own state, and the
 * approval behind its own buttons when it needs a decision. Who decided and when is the
 * approvals side's (looked up when the message is rendered); `resolved` is the ERP's.
 */
export const documentLineSchema = z.object({
  /** The exception's id on its invoice (rule + line + discriminator): stable across versions. */
  id: z.string().min(1),
  /** Invoice line number; null for an exception on the whole invoice. */
  line: z.number().int().nullable(),
  exception: exceptionPayloadSchema,
  state: z.enum(["open", "resolved"]),
  /** Why it resolved, in words (state `resolved`). */
  resolvedReason: z.string().optional(),
  /** When the line last changed (ISO instant). */
  since: z.iso.datetime(),
  costCenter: z.string().optional(),
  /** Opaque approval id behind the line's Approve / Reject; never an amount or a name. */
  approvalId: z.string().min(1).max(200).optional(),
  allowHold: z.boolean().default(true),
  /** Needs a decision but no approver is configured for its cost center. */
  noApprover: z.boolean().optional(),
});
export type DocumentLine = z.infer<typeof documentLineSchema>;

/** What this version of a document changed, line by line: the thread reply says it. */
export const documentEventSchema = z.object({
  lineId: z.string().min(1),
  event: z.enum(["opened", "changed", "resolved"]),
  changes: z.array(fieldChangeSchema).default([]),
});
export type DocumentEvent = z.infer<typeof documentEventSchema>;

/** "Line 10", or "Invoice" for an exception on the whole document. */
export function lineName(l: Pick<DocumentLine, "line">): string {
  return l.line === null ? "Invoice" : `Line ${l.line}`;
}

export const documentPayloadSchema = z.object({
  lines: z.array(documentLineSchema).min(1),
  events: z.array(documentEventSchema).default([]),
});
export type DocumentPayload = z.infer<typeof documentPayloadSchema>;

export const alertSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{32}$/),
  kind: alertKindSchema,
  tenant: z.string().min(1),
  /** Record entity, or `digest` / `ops`. */
  entity: z.string().min(1),
  recordKey: z.string().min(1),
  contentVersion: z.string().min(1),
  /**
   * What message this alert is about in its channel: later alerts with the same subject edit
   * that message and reply in its thread instead of posting anew.
   */
  subject: z.string().min(1),
  record: canonicalRecordSchema.optional(),
  changes: z.array(fieldChangeSchema).optional(),
  exception: exceptionPayloadSchema.optional(),
  /**
   * Set on an invoice's document alert: every exception line of the invoice (in this channel)
   * with its own state. Each version edits the one message and replies with `events`.
   */
  document: documentPayloadSchema.optional(),
  digest: digestPayloadSchema.optional(),
  ops: opsPayloadSchema.optional(),
  note: notePayloadSchema.optional(),
  costCenter: z.string().optional(),
  /**
   * Set when routing fell back (no cost center in the ERP: routing.yml's supplier or buyer
   * default, or the default channel): one line for people, shown under the message.
   */
  routeNote: z.string().max(300).optional(),
  channel: z.string().min(1),
  createdAt: z.iso.datetime(),
  needsDecision: decisionSchema.optional(),
  link: z.string().optional(),
  /**
   * Set on a thread reply: the note under a message an edit changed ("Updated: …"). A reply is
   * an alert of its own (own id, own delivered marker, own audit trail) so that finding the
   * parent never counts as finding the reply.
   */
  reply: z
    .object({
      parentAlertId: z.string().regex(/^[a-f0-9]{32}$/),
      threadTs: z.string().min(1),
    })
    .optional(),
  /**
   * Set on a re-render of a message already in Slack after its approval changed (a decision
   * stamp): delivery edits the message in its channel's edit line, from the subject's latest
   * delivered version and the approval as it stands then; no thread reply. `stamp` is the text
   * the deciding side stamped, used while the approval is still in that state.
   */
  refresh: z
    .object({
      ts: z.string().regex(/^\d+\.\d+$/),
      approvalId: z.string().min(1).max(200),
      stamp: z
        .object({ state: z.string().min(1), lines: z.array(z.string().max(3000)).max(5) })
        .optional(),
    })
    .optional(),
  /** Set on a copy for another destination of the route (mirrorAlert): the original's id. */
  mirrorOf: z
    .string()
    .regex(/^[a-f0-9]{32}$/)
    .optional(),
});
export type Alert = z.infer<typeof alertSchema>;

/**
 * `alertSchema` for an alert whose record `parseRecord` returned: the record is taken as it is
 * (in its place among the keys), not validated a second time; everything else is.
 */
const alertOfValidatedRecordSchema = alertSchema.extend({
  record: z.custom<CanonicalRecord>(isValidatedRecord).optional(),
});

export function hashParts(parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(`${p.length}:${p}|`);
  return h.digest("hex").slice(0, 32);
}

/** Content version of a record when the caller has none: a hash of its canonical JSON. */
export function contentVersionOf(record: CanonicalRecord): string {
  return hashParts([stableJson(record)]);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface CreateAlertInput {
  kind: AlertKind;
  channel: string;
  record?: CanonicalRecord;
  /** Required when there is no record (digest, ops). */
  tenant?: string;
  entity?: string;
  recordKey?: string;
  contentVersion?: string;
  changes?: FieldChange[];
  exception?: z.input<typeof exceptionPayloadSchema>;
  document?: z.input<typeof documentPayloadSchema>;
  digest?: DigestPayload;
  ops?: z.input<typeof opsPayloadSchema>;
  note?: NotePayload;
  costCenter?: string;
  routeNote?: string;
  needsDecision?: z.input<typeof decisionSchema>;
  link?: string;
  createdAt?: Date;
}

export class AlertInputError extends Error {
  readonly code = "alert_invalid";
}

/**
 * Build a validated alert with its stable id: hash(tenant, entity, record key, content version)
 * plus the kind family (a record and an exception on it are different messages) and the channel
 * (one record routed to two channels is two deliveries).
 */
export function createAlert(input: CreateAlertInput): Alert {
  const record = input.record;
  const tenant = input.tenant ?? record?.tenant;
  const entity = input.entity ?? record?.entity ?? input.kind;
  const key = input.recordKey ?? (record ? recordKey(record) : undefined);
  const version = input.contentVersion ?? (record ? contentVersionOf(record) : undefined);
  if (!tenant || !key || !version) {
    throw new AlertInputError("an alert needs tenant, recordKey and contentVersion (or a record)");
  }
  const exceptionType = input.exception?.type;
  // A document alert (one message per invoice) is one family whatever its lines' rules.
  const family = input.document
    ? "document"
    : input.kind.startsWith("exception.")
      ? `exception:${exceptionType ?? "unknown"}`
      : input.kind.startsWith("record.")
        ? "record"
        : input.kind;
  // A period summary is one message per period: each version edits it, like a record's.
  const periodic = input.kind === "digest" && input.digest?.reason === "period";
  const subject =
    family === "record"
      ? key
      : family.startsWith("exception:") || family === "document" || periodic
        ? `${family}:${key}`
        : `${family}:${key}:${version}`;
  const kindTag = input.kind === "exception.resolved" ? "resolved" : "";
  const id = hashParts([tenant, entity, key, version, family, kindTag, input.channel]);
  const candidate = {
    id,
    kind: input.kind,
    tenant,
    entity,
    recordKey: key,
    contentVersion: version,
    subject,
    record,
    changes: input.changes,
    exception: input.exception,
    document: input.document,
    digest: input.digest,
    ops: input.ops,
    note: input.note,
    costCenter: input.costCenter ?? costCenterOf(record),
    routeNote: input.routeNote,
    channel: input.channel,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    needsDecision: input.needsDecision,
    link: input.link,
  };
  const schema = isValidatedRecord(record) ? alertOfValidatedRecordSchema : alertSchema;
  const parsed = schema.safeParse(dropUndefined(candidate));
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new AlertInputError(`invalid alert: ${why}`);
  }
  return validatedAlert(parsed.data);
}

/**
 * Alerts this module built or validated: `parseAlert` of one of them returns it as it is. The
 * same alert was validated two more times on its way to the queue (the sink's enqueue, delivery's
 * enqueue), a share of the pipeline's CPU (bench/scenarios/pipeline.ts). Alerts are values: no
 * code changes one after it is made (a copy with changes is a new, unvalidated object).
 */
const validated = new WeakSet<object>();

function validatedAlert(a: Alert): Alert {
  validated.add(a);
  return a;
}

function costCenterOf(record: CanonicalRecord | undefined): string | undefined {
  if (!record) return undefined;
  return "costCenter" in record ? record.costCenter : undefined;
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Whether a later alert of the same subject edits this alert's message in place: not digests,
 * ops notices, notes or thread replies (each of those is a message of its own).
 */
export function editsInPlace(a: Alert): boolean {
  if (isPeriodSummary(a)) return true;
  return a.kind !== "digest" && a.kind !== "ops" && a.kind !== "note" && !a.reply;
}

/** A channel's summary for a period (routing.yml noise: digest): one message, edited as it grows. */
export function isPeriodSummary(a: Alert): boolean {
  return a.kind === "digest" && a.digest?.reason === "period" && !a.reply;
}

/**
 * The thread reply for an edit that changed the message at `threadTs`: the same content with its
 * own id (a hash of the edit's id), so enqueueing it twice is one reply.
 */
export function threadReplyAlert(edit: Alert, threadTs: string): Alert {
  return validatedAlert(
    alertSchema.parse({
      ...edit,
      id: hashParts([edit.id, "thread-reply"]),
      subject: `reply:${edit.id}`,
      needsDecision: undefined,
      reply: { parentAlertId: edit.id, threadTs },
    }),
  );
}

/**
 * Alerts a route also sends to its other destinations (routing.yml webhooks): what happened to a
 * record or an exception. Digests, ops notices, notes and thread replies belong to the channel
 * they were made for.
 */
export function mirrorable(a: Alert): boolean {
  return (
    (a.kind.startsWith("record.") || a.kind.startsWith("exception.")) &&
    !a.reply &&
    !a.mirrorOf &&
    !a.refresh &&
    // An approver's card is the channel alert again, for one person: mirrored once, as that.
    !a.needsDecision?.dm
  );
}

/**
 * The same alert for another target: its id a hash of the original's id and the target, so
 * mirroring one alert twice (a replay, a retried enqueue) is one delivery there too. The
 * decision request stays with the original (buttons are the channel's).
 */
export function mirrorAlert(a: Alert, target: string): Alert {
  return validatedAlert(
    alertSchema.parse({
      ...a,
      id: hashParts([a.id, "mirror", target]),
      channel: target,
      needsDecision: undefined,
      mirrorOf: a.id,
    }),
  );
}

/** One decision an alert asks for: a document line's approval, or the alert's own. */
export interface DecisionAsked {
  approvalId: string;
  allowHold: boolean;
  exception?: ExceptionPayload;
  resolved: boolean;
  /** Changes only when what this decision is about changed (a card edit says what changed). */
  version: string;
  changes?: FieldChange[];
}

/**
 * The decisions behind an alert: every line of a document (one message per invoice) that has
 * an approval, else the alert's own request.
 */
export function decisionsAsked(alert: Alert): DecisionAsked[] {
  if (alert.document) {
    return alert.document.lines.flatMap((l) => {
      if (!l.approvalId) return [];
      const changes = alert.document?.events.find((e) => e.lineId === l.id)?.changes;
      return [
        {
          approvalId: l.approvalId,
          allowHold: l.allowHold,
          exception: l.exception,
          resolved: l.state === "resolved",
          version: hashParts([
            l.id,
            l.state,
            l.exception.summary,
            JSON.stringify(l.exception.details),
          ]),
          ...(changes && changes.length > 0 ? { changes } : {}),
        },
      ];
    });
  }
  if (!alert.needsDecision) return [];
  return [
    {
      approvalId: alert.needsDecision.approvalId,
      allowHold: alert.needsDecision.allowHold,
      ...(alert.exception ? { exception: alert.exception } : {}),
      resolved: alert.kind === "exception.resolved",
      version: alert.contentVersion,
      ...(alert.changes ? { changes: alert.changes } : {}),
    },
  ];
}

/**
 * An approver's card of one decision an alert asks for, in the direct message `im` (conversation
 * id) with `user`: that decision's content, its own id and delivery in that conversation, no
 * mentions (it is addressed to the reader). One card per approval (subject `card:<approval>`):
 * a later version of what it is about edits it in place; an unchanged one is the same alert id,
 * so delivered once.
 */
export function directCardAlert(
  alert: Alert,
  asked: DecisionAsked,
  user: string,
  im: string,
): Alert {
  const { document: _document, needsDecision: _decision, changes: _changes, ...rest } = alert;
  const exceptional = alert.kind.startsWith("exception.");
  return validatedAlert(
    alertSchema.parse({
      ...rest,
      ...(exceptional ? { kind: asked.resolved ? "exception.resolved" : "exception.opened" } : {}),
      id: hashParts([asked.approvalId, asked.version, "dm", im]),
      subject: `card:${asked.approvalId}`,
      contentVersion: asked.version,
      channel: im,
      routeNote: undefined,
      ...(asked.exception ? { exception: asked.exception } : {}),
      ...(asked.changes ? { changes: asked.changes } : {}),
      needsDecision: {
        approvalId: asked.approvalId,
        allowHold: asked.allowHold,
        dm: { user, from: alert.channel },
      },
    }),
  );
}

/** Validate an alert read back from Redis, the queue or the audit log (or given by a caller). */
export function parseAlert(input: unknown): Alert {
  if (typeof input === "object" && input !== null && validated.has(input)) return input as Alert;
  return validatedAlert(alertSchema.parse(input));
}
