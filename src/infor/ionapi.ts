import { z } from "zod";
import { isLoopbackHost } from "../shared/urls.ts";
import { IonapiError } from "./errors.ts";

/**
 * `.ionapi` credentials (ION API → Authorized Apps → Backend Service → Download Credentials).
 * Keys per the Infor OS API Gateway Administration Guide ("Registering the client application"):
 * API base = iu + "/" + ti; token URL = pu + ot; revoke URL = pu + or (on-premises files use
 * `connect/token`, so URLs are always built from the file, never hard-coded).
 * Production URLs must be https; plain http is accepted only for loopback hosts (the sandbox).
 */

const str = z.string().trim().min(1);

const ionapiSchema = z.object({
  ti: str,
  /** The app's display name: shown, never needed. */
  cn: z.string().trim().optional(),
  ci: str,
  cs: str,
  iu: str,
  pu: str,
  oa: z.string().trim().optional(),
  ot: str,
  /** Revoke path: used only at shutdown; without it the token simply expires. */
  or: z.string().trim().optional(),
  /** Only Backend Service apps carry service-account keys; without them no password grant. */
  saak: z.string().trim().optional(),
  sask: z.string().trim().optional(),
  ev: z.string().optional(),
  v: z.string().optional(),
  sc: z.array(z.string()).optional(),
  ru: z.string().optional(),
  dt: z.string().optional(),
});

/** Keys whose values are secrets: never logged, printed or put in an error. */
export const SECRET_KEYS = ["cs", "saak", "sask"] as const;

export interface IonapiCredentials {
  tenant: string;
  clientName: string | undefined;
  clientId: string;
  clientSecret: string;
  serviceAccountAccessKey: string | undefined;
  serviceAccountSecretKey: string | undefined;
  /** `iu/ti` without a trailing slash. */
  apiBase: string;
  tokenUrl: string;
  /** undefined when the file has no `or`: shutdown then skips the revoke. */
  revokeUrl: string | undefined;
  authorizeUrl: string | undefined;
  scopes: string[];
  /** Metadata kept as-is (ev, v, ru, dt). */
  meta: { ev?: string; v?: string; ru?: string; dt?: string };
}

/** Parse a URL and enforce https (http only on loopback). Exported for config's own URLs. */
export function checkedUrl(key: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new IonapiError(key, "is not a valid absolute URL");
  }
  if (url.username || url.password) throw new IonapiError(key, "must not embed credentials");
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw new IonapiError(key, "must be an https URL (http is allowed only for loopback hosts)");
}

function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/**
 * Infor's download and templates mark what an admin must fill in as `<your Tenant>`-style
 * placeholders; such a value would only fail later at sign-in with a vague error.
 */
const PLACEHOLDER = /<[^<>]*>/;

export interface ParseIonapiOptions {
  /**
   * A polling backend signs in with the password grant, which needs a Backend Service app's
   * service account (saak/sask). Web/mobile-app files have none: refused unless this is false
   * (`ionapi inspect` describes any file).
   */
  requireServiceAccount?: boolean;
}

/**
 * Validate `.ionapi` content given as JSON text or an already-parsed object. Where the file comes
 * from (path, inline, encrypted) is config's business. Errors name the key only.
 */
export function parseIonapi(
  content: string | unknown,
  options: ParseIonapiOptions = {},
): IonapiCredentials {
  let raw: unknown = content;
  if (typeof content === "string") {
    try {
      raw = JSON.parse(content);
    } catch {
      throw new IonapiError("(file)", "is not valid JSON");
    }
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new IonapiError("(file)", "must be a JSON object");
  }
  const parsed = ionapiSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "(file)");
    const missing = !(key in (raw as Record<string, unknown>));
    throw new IonapiError(key, missing ? "is missing" : "is empty or has the wrong type");
  }
  const f = parsed.data;
  for (const [key, value] of Object.entries(f)) {
    if (typeof value === "string" && PLACEHOLDER.test(value)) {
      throw new IonapiError(key, "still holds a <…> placeholder: use the file ION API downloads");
    }
  }
  if (Boolean(f.saak) !== Boolean(f.sask)) {
    throw new IonapiError(f.saak ? "sask" : "saak", "is missing (saak and sask come as a pair)");
  }
  if (!f.saak && options.requireServiceAccount !== false) {
    throw new IonapiError(
      ["saak", "sask"],
      "are missing: this is a Web or mobile app's file, without a service account. Download the credentials of a Backend Service app (ION API > Authorized Apps) with a service account",
    );
  }
  const iu = checkedUrl("iu", f.iu);
  const pu = checkedUrl("pu", f.pu);
  const tokenUrl = checkedUrl("ot", join(pu.href, f.ot)).href;
  const revokeUrl = f.or ? checkedUrl("or", join(pu.href, f.or)).href : undefined;
  const authorizeUrl = f.oa ? checkedUrl("oa", join(pu.href, f.oa)).href : undefined;
  const meta: IonapiCredentials["meta"] = {};
  if (f.ev !== undefined) meta.ev = f.ev;
  if (f.v !== undefined) meta.v = f.v;
  if (f.ru !== undefined) meta.ru = f.ru;
  if (f.dt !== undefined) meta.dt = f.dt;
  return {
    tenant: f.ti,
    clientName: f.cn || undefined,
    clientId: f.ci,
    clientSecret: f.cs,
    serviceAccountAccessKey: f.saak,
    serviceAccountSecretKey: f.sask,
    apiBase: join(iu.href, encodeURIComponent(f.ti)),
    tokenUrl,
    revokeUrl,
    authorizeUrl,
    scopes: f.sc ?? [],
    meta,
  };
}

/** What `ionapi inspect` prints: everything useful, no secret. */
export function describeIonapi(c: IonapiCredentials): Record<string, unknown> {
  const hasServiceAccount = Boolean(c.serviceAccountAccessKey && c.serviceAccountSecretKey);
  return {
    tenant: c.tenant,
    clientName: c.clientName ?? null,
    clientId: redactId(c.clientId),
    clientSecret: "[redacted]",
    serviceAccountAccessKey: hasServiceAccount ? "[redacted]" : null,
    serviceAccountSecretKey: hasServiceAccount ? "[redacted]" : null,
    apiBase: c.apiBase,
    tokenUrl: c.tokenUrl,
    revokeUrl: c.revokeUrl ?? null,
    authorizeUrl: c.authorizeUrl ?? null,
    scopes: c.scopes,
    grants: {
      // Backend Service apps (saak/sask present) can use the resource-owner password grant;
      // refresh_token depends on "Issue Refresh Token(s)" in the app, known only after sign-in.
      password: hasServiceAccount,
      refresh_token: hasServiceAccount ? "if the authorized app issues refresh tokens" : false,
      authorization_code: Boolean(c.authorizeUrl),
    },
    meta: c.meta,
  };
}

/** The client id is `<TENANT>~<random>`: keep the tenant part, hide the rest. */
function redactId(id: string): string {
  const cut = id.indexOf("~");
  return cut > 0 ? `${id.slice(0, cut)}~[redacted]` : "[redacted]";
}
