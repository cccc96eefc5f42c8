import type { CanonicalRecord, Entity } from "../../infor/records.ts";
import { recordId } from "../../infor/records.ts";
import { formatMoney, type Money } from "../../shared/money.ts";
import { LIMITS, truncate } from "./limits.ts";
import type { ContextBlock, HeaderBlock, Mrkdwn, SectionBlock } from "./types.ts";

/** Slack mrkdwn needs &, < and > escaped (docs.slack.dev/messaging/formatting-message-text). */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function money(m: Money): string {
  return formatMoney(m);
}

/**
 * Per-entity URL templates from the routing file, e.g. a Ming.le deep link
 * `https://mingle.example/…?company={company}&division={division}&id={id}`.
 * Placeholders: {tenant} {company} {division} {id} {entity}; values are URL-encoded.
 * `byTenant` holds each tenant's own set (routing.yml `tenants[].links`): a record is linked only
 * through its own tenant's templates, never another tenant's portal.
 */
export type LinkTemplates = Partial<Record<Entity, string>> & {
  readonly byTenant?: Readonly<Record<string, Partial<Record<Entity, string>>>>;
};

/** Where a document lives in the ERP: enough to fill a link template. */
export interface DocumentRef {
  entity: Entity;
  tenant: string;
  company: string;
  division: string;
  id: string;
}

/** The URL of a document from its tenant's template; undefined when none is configured. */
export function documentLink(
  ref: DocumentRef,
  templates: LinkTemplates | undefined,
): string | undefined {
  const set = templates?.byTenant ? templates.byTenant[ref.tenant] : templates;
  const template = set?.[ref.entity];
  if (!template) return undefined;
  const values: Record<string, string> = { ...ref };
  return template.replace(/\{(tenant|company|division|id|entity)\}/g, (_, k: string) =>
    encodeURIComponent(values[k] ?? ""),
  );
}

export function recordLink(
  record: CanonicalRecord,
  templates: LinkTemplates | undefined,
): string | undefined {
  return documentLink(
    {
      entity: record.entity,
      tenant: record.tenant,
      company: record.company,
      division: record.division,
      id: recordId(record),
    },
    templates,
  );
}

/** A mrkdwn link that survives odd characters in the label. */
export function link(url: string, label: string): string {
  return `<${url.replace(/[<>|]/g, encodeURIComponent)}|${esc(label).replace(/\|/g, "¦")}>`;
}

export function header(text: string): HeaderBlock {
  return {
    type: "header",
    text: { type: "plain_text", text: truncate(text, LIMITS.headerText), emoji: true },
  };
}

export function field(label: string, value: string): Mrkdwn {
  return { type: "mrkdwn", text: truncate(`*${esc(label)}*\n${value}`, LIMITS.fieldText) };
}

/** A section of label/value fields; empty values are left out, extra fields beyond 10 dropped. */
export function fieldsSection(
  pairs: ReadonlyArray<readonly [string, string | undefined]>,
): SectionBlock | undefined {
  const fields = pairs
    .filter((p): p is readonly [string, string] => p[1] !== undefined && p[1] !== "")
    .slice(0, LIMITS.sectionFields)
    .map(([l, v]) => field(l, v));
  return fields.length > 0 ? { type: "section", fields } : undefined;
}

export function textSection(text: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text: truncate(text, LIMITS.sectionText) } };
}

const SOURCE_LABEL: Record<string, string> = {
  m3: "Infor M3",
  syteline: "SyteLine",
  bod: "ION BOD",
};

export interface ContextOptions {
  source?: string;
  at: Date;
  extra?: string;
}

/**
 * Source and time: Slack's date token renders in each reader's own time zone; the fallback
 * after `|` is UTC (docs.slack.dev/messaging/formatting-message-text#date-formatting).
 */
export function contextLine(o: ContextOptions): ContextBlock {
  const epoch = Math.floor(o.at.getTime() / 1000);
  const fallback = `${o.at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const parts = [
    o.source ? (SOURCE_LABEL[o.source] ?? o.source) : undefined,
    `<!date^${epoch}^{date_short_pretty} {time}|${fallback}>`,
    o.extra,
  ].filter((p): p is string => p !== undefined && p !== "");
  return {
    type: "context",
    elements: [{ type: "mrkdwn", text: truncate(parts.join(" · "), LIMITS.contextText) }],
  };
}

export function supplierLabel(id: string, name: string | undefined): string {
  return name ? `${esc(name)} (${esc(id)})` : esc(id);
}

/** The division is blank in single-division setups; show only what is there. */
export function companyLabel(company: string, division: string): string {
  return division ? `${esc(company)} / ${esc(division)}` : esc(company);
}
