import type { Logger } from "pino";
import type { DataSize } from "./data/model.ts";
import type { SimEventConfig } from "./events/emitter.ts";
import type { IdoItemFormat } from "./ido/handler.ts";
import { accessFrom, type M3Access } from "./m3/access.ts";
import type { ErrorStyle } from "./m3/envelope.ts";

export interface InforSimOptions {
  /** 0 (default) = ephemeral. */
  port?: number;
  host?: string;
  /** Tenant ids; the first is `sim.tenant`. Default ["SIMCO_TST"]. */
  tenants?: string[];
  seed?: number;
  data?: Partial<DataSize>;
  /** Access-token lifetime (ION: 2 h by default, 1 to 24 h per app). */
  tokenLifetimeSeconds?: number;
  issueRefreshTokens?: boolean;
  /** Each refresh answers a new refresh_token and the old one stops working (default true). */
  rollingRefreshTokens?: boolean;
  /** 0 = refresh tokens never expire (ION's "0" setting). */
  refreshTokenLifetimeSeconds?: number;
  /** Token grants allowed per rolling minute per tenant; 0 = no cap. */
  signInsPerMinute?: number;
  /** API calls per minute per tenant; 0 = unlimited. */
  requestsPerMinute?: number;
  /** Send Retry-After (seconds) with 429s; ION documents none, so off by default. */
  retryAfterSeconds?: number;
  /** Time source (epoch ms). */
  now?: () => number;
  /** Start the sim clock on this date (YYYY-MM-DD, 08:00 UTC) instead of the real date. */
  startDate?: string;
  /** ION throttling "rate smoothing": after this many calls in the minute window (0 = off)... */
  smoothingAfterCount?: number;
  /** ...each further call waits this long before it is answered. */
  smoothingDelayMs?: number;
  m3ErrorStyle?: ErrorStyle;
  /**
   * When a matched invoice enters its PO line's invoiced quantity IVQA: on posting (SUPA 90,
   * default) or at entry. Nothing public says which a tenant does; tests run both.
   */
  m3InvoicedQtyAt?: "posting" | "entry";
  /**
   * Whether PO-matched invoice lines (FAPIBL) carry accounting dimensions (AIT1/AIT2). Nothing
   * public says a tenant fills them; the posted GL lines (FGLEDG) always do. Default true.
   */
  m3InvoiceLineDimensions?: boolean;
  /**
   * Strict mode: the tenant lacks some optional columns and the service account is refused some
   * tables and transactions (m3/access.ts). `true` = the STRICT_ACCESS profile. Default open.
   */
  strict?: boolean | M3Access;
  idoItemFormat?: IdoItemFormat;
  /**
   * IDO replies with `Success`/`MoreRowsExist` as the strings "true"/"false" (and MessageCode as a
   * string), as gateways that type everything as text answer. Default false (Mongoose v2: JSON).
   */
  idoStringScalars?: boolean;
  /** Emit M3 database events to a URL when data changes (also `POST /_sim/events`). */
  events?: SimEventConfig;
  logger?: Logger;
}

/** Settings that can change while the sim runs (control API `configure`). */
export interface SimConfig {
  tokenLifetimeSeconds: number;
  issueRefreshTokens: boolean;
  rollingRefreshTokens: boolean;
  refreshTokenLifetimeSeconds: number;
  signInsPerMinute: number;
  requestsPerMinute: number;
  retryAfterSeconds: number | undefined;
  smoothingAfterCount: number;
  smoothingDelayMs: number;
  m3ErrorStyle: ErrorStyle;
  m3Access: M3Access;
  idoItemFormat: IdoItemFormat;
  idoStringScalars: boolean;
}

export function configFrom(options: InforSimOptions): SimConfig {
  return {
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 7200,
    issueRefreshTokens: options.issueRefreshTokens ?? true,
    rollingRefreshTokens: options.rollingRefreshTokens ?? true,
    refreshTokenLifetimeSeconds: options.refreshTokenLifetimeSeconds ?? 0,
    signInsPerMinute: options.signInsPerMinute ?? 20,
    requestsPerMinute: options.requestsPerMinute ?? 0,
    retryAfterSeconds: options.retryAfterSeconds,
    smoothingAfterCount: options.smoothingAfterCount ?? 0,
    smoothingDelayMs: options.smoothingDelayMs ?? 0,
    m3ErrorStyle: options.m3ErrorStyle ?? "results400",
    m3Access: accessFrom(options.strict),
    idoItemFormat: options.idoItemFormat ?? "flat",
    idoStringScalars: options.idoStringScalars ?? false,
  };
}
