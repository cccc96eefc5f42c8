import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { pino } from "pino";
import { type CanonicalRecord, parseRecord } from "../../infor/records.ts";
import { codeOf } from "../../shared/error-code.ts";
import type { BodOutcome, Metrics } from "../metrics.ts";
import { asyncHandler, type HttpRoute, sendJson } from "../routes.ts";
import { type BodAuthConfig, hasCredentials, verifyBodAuth } from "./auth.ts";
import { readBoundedBody } from "./body.ts";
import { readEnvelope } from "./envelope.ts";
import { type BodMapContext, NOUN_MAPPERS } from "./map.ts";
import { parseSafeXml } from "./xml.ts";

/**
 * `POST /ion/bod`: finance BODs pushed by an ION document flow. A push supplements polling: it
 * says "this changed" and `ingest` triggers a poll of (tenant, company, entity), which reads the
 * ERP as usual and dedupes by content hash, so a BOD and a poll of the same change alert once.
 * That is all a BOD must carry: OAGIS makes nearly every element optional (a real LN
 * SyncPurchaseOrder may hold only a DocumentID and an amount), so a noun that is not a complete
 * record still triggers its poll ("sparse") instead of being refused.
 *
 *   401  no or wrong credentials (body not parsed)      413  body over `maxBodyBytes`
 *   400  DOCTYPE/ENTITY, malformed XML, not a BOD       422  known noun, no company in any noun
 *   202  accepted (polls triggered) or ignored (unknown noun, other tenant, delete)
 *   503  the pipeline could not take the records now (ION retries)
 */

/** What a poll trigger needs; a full CanonicalRecord is one too. */
export interface BodTrigger {
  tenant: string;
  company: string;
  /** "" when the BOD names only the company (M3 bare CONO, LN company, SyteLine site). */
  division: string;
  entity: CanonicalRecord["entity"];
}

export interface BodAuditEntry {
  type: "ops";
  data: Record<string, unknown>;
}

export interface BodHandlerOptions {
  auth: BodAuthConfig;
  /** Triggers the polls; rejects when it cannot take them (→ 503). */
  ingest: (records: BodTrigger[]) => Promise<void>;
  /** Records refusals that an admin should see (malformed XML, invalid records). */
  audit?: (entry: BodAuditEntry) => Promise<unknown>;
  /** The tenant polling uses (the `.ionapi` `ti`). */
  tenant: string;
  /**
   * Default 2 MiB. A SyncSupplierInvoice with 2,000 lines is 1.3 MB and takes 100-200 ms to parse
   * and map (measured), time during which the event loop is blocked: the bound also caps that.
   */
  maxBodyBytes?: number;
  splitAccountingEntity?: BodMapContext["splitAccountingEntity"];
  metrics?: Pick<Metrics, "bodRequests" | "bodRecords">;
  logger?: Logger;
  now?: () => Date;
  path?: string;
}

export const DEFAULT_MAX_BOD_BYTES = 2 * 1024 * 1024;

export function createBodHandler(options: BodHandlerOptions) {
  const logger = options.logger ?? pino({ level: "silent" });
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BOD_BYTES;
  const now = options.now ?? (() => new Date());
  if (!options.auth.hmacSecrets?.length && !options.auth.bearerTokens?.length) {
    logger.warn("BOD endpoint has no secret or token configured: every request will get 401");
  }

  const audit = async (data: Record<string, unknown>) => {
    try {
      await options.audit?.({ type: "ops", data: { event: "bod.refused", ...data } });
    } catch (err) {
      logger.error({ err }, "could not audit a refused BOD");
    }
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reply = (status: number, outcome: BodOutcome, body: Record<string, unknown>) => {
      options.metrics?.bodRequests.inc({ outcome });
      if (status === 413 || status === 401) res.setHeader("connection", "close");
      sendJson(res, status, body);
    };

    if (!hasCredentials(req.headers)) {
      req.resume();
      reply(401, "unauthenticated", { status: "error", error: "unauthenticated" });
      return;
    }
    let body: Buffer;
    try {
      body = await readBoundedBody(req, maxBytes);
    } catch (err) {
      if (codeOf(err) === "bod_body_too_large") {
        logger.warn({ maxBytes }, "BOD refused: body too large");
        reply(413, "too_large", { status: "error", error: "body_too_large", maxBytes });
        return;
      }
      throw err;
    }
    if (!verifyBodAuth(req.headers, body, options.auth).ok) {
      logger.warn("BOD refused: bad signature or token");
      reply(401, "unauthenticated", { status: "error", error: "unauthenticated" });
      return;
    }

    let env: ReturnType<typeof readEnvelope>;
    try {
      env = readEnvelope(parseSafeXml(body));
    } catch (err) {
      const code = codeOf(err) ?? "bod_malformed_xml";
      const doctype = code === "bod_doctype_forbidden";
      logger.warn({ code, bytes: body.length }, "BOD refused: not acceptable XML");
      await audit({ code, bytes: body.length });
      reply(400, doctype ? "forbidden_doctype" : "malformed", { status: "error", error: code });
      return;
    }

    const mapper = NOUN_MAPPERS[env.noun];
    const ignore = (reason: string) => {
      logger.debug({ verb: env.verb, noun: env.noun, bodId: env.bodId, reason }, "BOD ignored");
      reply(202, "ignored", { status: "ignored", reason, noun: env.noun });
    };
    if (!mapper) return ignore("unsupported_noun");
    if (env.verb !== "Sync") return ignore("unsupported_verb");
    if (env.actionCode?.toLowerCase() === "delete") return ignore("delete_action");
    if (env.tenantId && env.tenantId.toLowerCase() !== options.tenant.toLowerCase()) {
      return ignore("other_tenant");
    }

    const ctx: BodMapContext = {
      tenant: options.tenant,
      today: now().toISOString().slice(0, 10),
      ...(options.splitAccountingEntity
        ? { splitAccountingEntity: options.splitAccountingEntity }
        : {}),
    };
    const records: BodTrigger[] = [];
    const rejects: { index: number; reason: string }[] = [];
    let sparse = 0;
    env.nouns.forEach((noun, index) => {
      const candidate = mapper(noun, env, ctx);
      if (candidate === undefined) return;
      const parsed = parseRecord(candidate);
      if (parsed.ok) {
        records.push(parsed.record);
        return;
      }
      const trigger = triggerOf(candidate);
      if (trigger) {
        sparse++;
        records.push(trigger);
        logger.debug(
          { noun: env.noun, bodId: env.bodId, reason: parsed.reason },
          "sparse BOD noun",
        );
      } else {
        rejects.push({
          index,
          reason: "no company: AccountingEntityID or accountingEntity missing",
        });
      }
    });
    if (rejects.length > 0) {
      await audit({ code: "bod_invalid_record", noun: env.noun, bodId: env.bodId, rejects });
    }
    if (records.length === 0) {
      if (rejects.length > 0) {
        reply(422, "invalid_record", { status: "error", error: "bod_invalid_record", rejects });
        return;
      }
      return ignore("nothing_to_ingest");
    }

    try {
      await options.ingest(records);
    } catch (err) {
      logger.error({ err, noun: env.noun, bodId: env.bodId }, "BOD records could not be ingested");
      reply(503, "error", { status: "error", error: "ingest_unavailable" });
      return;
    }
    for (const r of records) options.metrics?.bodRecords.inc({ entity: r.entity });
    logger.info({ noun: env.noun, bodId: env.bodId, records: records.length }, "BOD accepted");
    reply(202, "accepted", {
      status: "accepted",
      noun: env.noun,
      bodId: env.bodId ?? null,
      records: records.length,
      sparse,
      rejected: rejects.length,
    });
  };
}

/** The poll key of a noun that is not a complete record, when it names tenant and company. */
function triggerOf(candidate: unknown): BodTrigger | undefined {
  if (candidate === null || typeof candidate !== "object") return undefined;
  const c = candidate as Record<string, unknown>;
  const entity = c.entity as BodTrigger["entity"] | undefined;
  if (typeof c.tenant !== "string" || typeof c.company !== "string" || !entity) return undefined;
  if (c.company.trim() === "") return undefined;
  return {
    tenant: c.tenant,
    company: c.company.trim(),
    division: typeof c.division === "string" ? c.division.trim() : "",
    entity,
  };
}

/** The route for Bolt's `customRoutes` or `startOpsServer`. */
export function bodRoute(options: BodHandlerOptions): HttpRoute {
  const handler = createBodHandler(options);
  const logger = options.logger ?? pino({ level: "silent" });
  return {
    path: options.path ?? "/ion/bod",
    method: "POST",
    handler: asyncHandler(async (req, res) => {
      try {
        await handler(req, res);
      } catch (err) {
        options.metrics?.bodRequests.inc({ outcome: "error" });
        throw err;
      }
    }, logger),
  };
}
