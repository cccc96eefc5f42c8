import { z } from "zod";
import { isFiringCron } from "../shared/cron.ts";
import { currencyCode, decimalString } from "../shared/money.ts";
import { isLoopbackHost } from "../shared/urls.ts";
import { writeBackSchema } from "./write-back-schema.ts";

/**
 * `routing.yml`: which ERP companies to watch, how often, where each cost center's alerts go,
 * the match tolerances and who may approve what. `routing.example.yml` documents every key.
 * Objects are strict: an unknown key is an error that suggests the nearest valid one.
 */

/** YAML turns `2` and `2.5` into numbers; accept them, but keep the decimal text exact. */
const decimal = z.union([z.string(), z.number()]).transform(String).pipe(decimalString);

const ENTITY_NAMES = [
  "supplier",
  "purchase_order",
  "supplier_invoice",
  "payment",
  "gl_voucher",
  "account",
] as const;
export const entityName = z.enum(ENTITY_NAMES);

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: "expected an IANA time zone such as Europe/Amsterdam" },
);

const DURATION_RE = /^(\d+)\s*(s|m|h)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

export function durationMs(text: string): number {
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const duration = z
  .string()
  .regex(DURATION_RE, { message: 'expected a duration such as "30s", "5m" or "1h"' })
  .refine((d) => !DURATION_RE.test(d.trim()) || durationMs(d) >= 10_000, {
    message: "polling faster than every 10s is refused",
  });

export const scheduleSchema = z.union([
  z.strictObject({ every: duration }),
  z.strictObject({
    cron: z.string().refine((c) => isFiringCron(c), {
      message: 'expected a cron expression such as "*/5 * * * *"',
    }),
    timeZone: timeZone.optional(),
  }),
]);

const companySchema = z.strictObject({
  company: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(
      z.string().regex(/^\d{1,3}$/, {
        message: "expected an M3 company number (CONO), 1-3 digits",
      }),
    ),
  divisions: z.array(z.string().trim().max(3)).default([""]),
  /**
   * The accounting dimension (M3 AIT1-AIT7) that holds the cost center in this company's chart
   * of accounts: 2 in most setups, but it is the tenant's choice.
   */
  costCenterDimension: z.number().int().min(1).max(7).default(2),
  /** SyteLine site (X-Infor-MongooseConfig) when erp is syteline. */
  site: z.string().optional(),
  schedules: z.partialRecord(entityName, scheduleSchema).default({}),
});

const tenantSchema = z.strictObject({
  id: z.string().min(1),
  erp: z.enum(["m3", "syteline"]).default("m3"),
  requestsPerMinute: z.number().int().min(100).max(3000).default(300),
  /** Deep links per entity; placeholders {tenant} {company} {division} {id}. */
  links: z.partialRecord(entityName, z.string().url()).default({}),
  companies: z.array(companySchema).min(1),
  /** Slack decisions written back to the ERP: off (default), shadow or on. */
  writeBack: writeBackSchema,
});

const amountBand = z.string().regex(/^(unlimited|\d+(\.\d+)?\s+[A-Z]{3})$/, {
  message: 'expected an amount with currency such as "5000 EUR", or "unlimited"',
});

const approverBandSchema = z.strictObject({
  upTo: amountBand,
  users: z
    .array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, { message: "expected a Slack user id (U…)" }))
    .default([]),
  groups: z
    .array(z.string().regex(/^S[A-Z0-9]{2,}$/, { message: "expected a Slack user-group id (S…)" }))
    .default([]),
});

const quietHoursSchema = z.strictObject({
  from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected HH:MM" }),
  to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected HH:MM" }),
  timeZone: timeZone.optional(),
});

const costCenterSchema = z.strictObject({
  name: z.string().default(""),
  channel: z.string(),
  approvers: z.array(approverBandSchema).default([]),
});

/** "50 EUR" (that currency only) or a bare number (any currency, in the invoice's own). */
const absoluteLimit = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(
    z.string().regex(/^\d+(\.\d+)?(\s+[A-Z]{3})?$/, {
      message: 'expected an amount such as 50, or with its currency such as "50 EUR"',
    }),
  );

export const toleranceSchema = z.strictObject({
  /** Unit-price variance allowed, in percent of the PO price. */
  pricePercent: decimal.optional(),
  /** Price variance allowed per line (difference × quantity): "50 EUR", or 50 in any currency. */
  priceAbsolute: absoluteLimit.optional(),
  /** Quantity invoiced above received allowed, in percent. */
  quantityPercent: decimal.optional(),
  /** Days within which same supplier + amount + date counts as a duplicate. */
  duplicateDays: z.number().int().min(0).max(365).optional(),
  /** three_way (default): invoice vs PO vs receipts; two_way: invoice vs PO, no receipt checks. */
  matchMode: z.enum(["three_way", "two_way"]).optional(),
  /** Invoices without a PO (non-PO spend) are accepted instead of flagged. */
  allowNonPo: z.boolean().optional(),
  /**
   * When the ERP adds an invoice to the PO line's invoiced quantity (M3 IVQA): "posting"
   * (default) or "entry". Set it per company (tolerances.companies) to what the tenant does.
   */
  invoicedQtyCountedAt: z.enum(["posting", "entry"]).optional(),
});

/**
 * How much a channel hears about plain records (new and changed invoices, POs, payments, …):
 * `all` posts each one, `exceptions-only` posts none (exceptions, decisions and ops notices
 * always go out), `digest` rolls them into one summary message per period, edited in place
 * while the period is open.
 */
export const NOISE_MODES = ["all", "exceptions-only", "digest"] as const;
export const noiseMode = z.enum(NOISE_MODES);

const digestPeriod = z
  .string()
  .regex(DURATION_RE, { message: 'expected a period such as "15m", "1h" or "24h"' })
  .refine((d) => !DURATION_RE.test(d.trim()) || durationMs(d) >= 60_000, {
    message: "a digest period shorter than 1m is refused (it would edit the message constantly)",
  })
  .refine((d) => !DURATION_RE.test(d.trim()) || durationMs(d) <= 86_400_000, {
    message: "a digest period longer than 24h is refused",
  });

export const noiseSchema = z.strictObject({
  /** Mode for every channel and entity not named below. Unset: the finance defaults apply. */
  default: noiseMode.optional(),
  /** Per entity, in every channel (e.g. payment: digest). */
  entities: z.partialRecord(entityName, noiseMode).default({}),
  /** Per channel (alias from `channels`): one mode, or per entity. */
  channels: z
    .record(z.string(), z.union([noiseMode, z.partialRecord(entityName, noiseMode)]))
    .default({}),
  /** Length of a digest period; periods start on the hour (UTC) for 1h, at midnight for 24h. */
  digestEvery: digestPeriod.default("1h"),
});

const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, {
  message: "expected a Slack channel id such as C0123ABCD (names change, ids do not)",
});

/** Outgoing URLs: https, plain http only to this machine (the sandbox); no credentials in them. */
const outgoingUrl = z
  .string()
  .url()
  .refine(
    (u) => {
      const url = new URL(u);
      if (url.username || url.password) return false;
      return (
        url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))
      );
    },
    { message: "expected an https URL without credentials (plain http only for loopback)" },
  );

/**
 * A signed outgoing webhook (docs/webhooks.md): every record and exception alert of the listed
 * channels (aliases) is also POSTed here as JSON, signed with the secret named like it in
 * WEBHOOK_SECRETS (never in this file).
 */
const webhookSchema = z.strictObject({
  url: outgoingUrl,
  /** Optional look-up hook: GET <lookupUrl>/<alert id> → 200 have it / 404 not. */
  lookupUrl: outgoingUrl.optional(),
  channels: z.array(z.string()).min(1),
  /** Sends per second to this receiver; default 10. */
  perSecond: z.number().positive().max(1000).default(10),
  timeoutSeconds: z.number().int().min(1).max(120).default(10),
});

export const routingSchema = z.strictObject({
  version: z.literal(1),
  timeZone: timeZone.default("UTC"),
  firstRun: z
    .union([
      z.strictObject({ mode: z.literal("now") }),
      z.strictObject({
        mode: z.literal("since"),
        since: z
          .union([z.string(), z.date()])
          .transform((d) => (d instanceof Date ? d.toISOString().slice(0, 10) : d))
          .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected YYYY-MM-DD" })),
      }),
    ])
    .default({ mode: "now" }),
  channels: z.record(z.string(), channelId),
  defaultChannel: z.string(),
  opsChannel: z.string(),
  quietHours: z.record(z.string(), quietHoursSchema).default({}),
  tenants: z.array(tenantSchema).min(1),
  costCenters: z.record(z.string(), costCenterSchema).default({}),
  /**
   * Cost center of a record the ERP gives none for (after PO line, invoice lines and posted GL
   * lines): by supplier id, then by the PO's buyer. The alert says when one was used.
   */
  costCenterDefaults: z
    .strictObject({
      suppliers: z.record(z.string(), z.string()).default({}),
      buyers: z.record(z.string(), z.string()).default({}),
    })
    .default({ suppliers: {}, buyers: {} }),
  tolerances: z
    .strictObject({
      default: toleranceSchema.default({}),
      companies: z.record(z.string(), toleranceSchema).default({}),
      costCenters: z.record(z.string(), toleranceSchema).default({}),
    })
    .default({ default: {}, companies: {}, costCenters: {} }),
  approvals: z
    .strictObject({
      reminderHours: z.number().positive().default(24),
      escalateHours: z.number().positive().default(48),
      expireHours: z.number().positive().default(168),
      /** Mention the eligible approvers (users and user groups) on an exception to decide. */
      mentionApprovers: z.boolean().default(true),
      /**
       * Also ask each eligible approver in a direct message from the app (a compact card with the
       * same buttons), and send reminders and escalations there instead of the channel. On by
       * default: approval tools ask the approver personally, and a mention in a busy channel is
       * easily missed.
       */
      dmApprovers: z.boolean().default(true),
      /** At most this many approvers get a card per decision (a large user group stays quiet). */
      dmLimit: z.number().int().min(1).max(50).default(10),
    })
    .default({
      reminderHours: 24,
      escalateHours: 48,
      expireHours: 168,
      mentionApprovers: true,
      dmApprovers: true,
      dmLimit: 10,
    }),
  /** Slack users allowed to run `/infor replay` and see `/infor status` details. */
  admins: z.array(z.string()).default([]),
  /** ERP user → Slack user, for segregation of duties on approvals. */
  erpUsers: z.record(z.string(), z.string()).default({}),
  shadowMode: z
    .strictObject({ all: z.boolean().default(false), entities: z.array(entityName).default([]) })
    .default({ all: false, entities: [] }),
  delivery: z
    .strictObject({
      /** Roll a channel's backlog into one digest when it would take longer than this to drain. */
      digestAfter: duration.optional(),
      /**
       * Slack's workspace-wide chat.postMessage limit, messages per second across all channels.
       * Slack publishes no figure: this is the most we send (default 20); 429s in idle channels
       * teach a lower rate.
       */
      workspacePostsPerSecond: z.number().positive().max(1000).optional(),
      /**
       * Calls of each tiered Web API method (chat.update, conversations.*, views.*, …) that may
       * go back to back beyond its steady rate. Slack speaks of "sporadic" and "generous" bursts
       * and publishes no size, so the default is none; raise it only where Slack has shown it.
       */
      methodBurst: z.number().int().min(0).max(10).optional(),
      /**
       * After a post nobody answered (timeout, dropped connection), how long Slack may still
       * store it: the look-up for it waits this long after the client gave up (default 60s).
       */
      lateLandingGrace: z
        .string()
        .regex(DURATION_RE, { message: 'expected a duration such as "30s", "5m" or "1h"' })
        .optional(),
      /**
       * After a post that followed a look-up finding nothing, look again this much later and
       * delete a second copy nobody replied to or used (default 5m; 0s turns it off).
       */
      duplicateCheckAfter: z
        .string()
        .regex(DURATION_RE, { message: 'expected a duration such as "30s", "5m" or "1h"' })
        .optional(),
    })
    .default({}),
  noise: noiseSchema.default({ entities: {}, channels: {}, digestEvery: "1h" }),
  /** Signed outgoing webhooks by name (lowercase letters, digits, dashes). */
  webhooks: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
        message: "expected a webhook name of lowercase letters, digits and dashes",
      }),
      webhookSchema,
    )
    .default({}),
  /** Alert on supplier master and cost-center changes. */
  referenceAlerts: z
    .strictObject({
      suppliers: z.boolean().default(false),
      costCenters: z.boolean().default(false),
    })
    .default({ suppliers: false, costCenters: false }),
});

export type RoutingConfig = z.infer<typeof routingSchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type Tolerance = z.infer<typeof toleranceSchema>;
export type EntityName = z.infer<typeof entityName>;
export type NoiseMode = z.infer<typeof noiseMode>;
export { currencyCode };
