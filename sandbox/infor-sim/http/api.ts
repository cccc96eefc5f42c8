import type { FaultSpec } from "../gateway/faults.ts";
import { handleIdo, type IdoItemFormat } from "../ido/handler.ts";
import { partialFailure } from "../m3/envelope.ts";
import { MiError } from "../m3/errors.ts";
import { handleM3 } from "../m3/handler.ts";
import type { SimState, TenantState } from "../state.ts";
import { json, type Reply } from "./reply.ts";

export interface ApiRequest {
  /** Path after `/<TENANT>/`. */
  rest: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** A fault that shapes the answer instead of replacing it (partialNok). */
  fault?: FaultSpec | undefined;
}

function header(headers: ApiRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An authenticated, rate-limited API call (M3 MI REST or SyteLine IDO). */
export function handleApi(state: SimState, tenant: TenantState, request: ApiRequest): Reply {
  const now = state.now();
  const authorization = header(request.headers, "authorization") ?? "";
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  const check = state.tokens.check(bearer, tenant.id, "access", now);
  if (check !== "ok") {
    state.counters.unauthorized++;
    return json(
      401,
      { error: "invalid_token", error_description: `access token ${check}` },
      { "www-authenticate": `Bearer realm="infor-sim", error="invalid_token"` },
    );
  }
  if (!tenant.window.take(now, state.config.requestsPerMinute)) {
    state.counters.status429++;
    const retry = state.config.retryAfterSeconds;
    return json(
      429,
      { error: "Too Many Requests" },
      retry !== undefined ? { "retry-after": String(retry) } : {},
    );
  }
  state.counters.apiRequests++;
  // ION rate smoothing: after `delayAfterCount` calls in the period, each further call is delayed.
  const { smoothingAfterCount, smoothingDelayMs } = state.config;
  const delayMs =
    smoothingAfterCount > 0 && tenant.window.count() > smoothingAfterCount ? smoothingDelayMs : 0;
  if (delayMs > 0) state.counters.smoothed++;
  const reply = route(state, tenant, request);
  return delayMs > 0 ? { ...reply, delayMs } : reply;
}

function route(state: SimState, tenant: TenantState, request: ApiRequest): Reply {
  if (request.rest.startsWith("M3/m3api-rest/")) {
    const reply = handleM3(
      request.rest.slice("M3/m3api-rest/".length),
      request.query,
      tenant.data,
      state.config.m3ErrorStyle,
      state.config.m3Access,
    );
    if (reply.drop) return { status: 0, drop: true };
    if (reply.body === undefined) return { status: reply.status };
    const fault = request.fault;
    if (fault?.mode === "partialNok" && reply.status === 200) {
      const error = new MiError(
        fault.message ?? "Designed to fail!",
        "CPF9898",
        "RCNT",
        fault.errorType ?? "ServerReturnedNOK",
      );
      const v2 = request.rest.startsWith("M3/m3api-rest/v2/");
      return json(200, partialFailure(reply.body, v2, fault.afterRows ?? 1, error));
    }
    return json(reply.status, reply.body);
  }
  const ido = /^CSI\/IDORequestService\/ido\/load\/([^/]+)$/.exec(request.rest);
  if (ido) {
    const override = header(request.headers, "x-sim-item-format");
    const format: IdoItemFormat =
      override === "namevalue" || override === "flat" ? override : state.config.idoItemFormat;
    const reply = handleIdo(
      decodeURIComponent(ido[1] ?? ""),
      request.query,
      header(request.headers, "x-infor-mongooseconfig"),
      tenant.data,
      format,
    );
    return json(
      reply.status,
      state.config.idoStringScalars ? stringScalars(reply.body) : reply.body,
    );
  }
  return json(404, { error: "Not Found" });
}

/** Booleans and numbers of the IDO envelope as text ("true", "false", "0"); items stay as they are. */
function stringScalars(body: unknown): unknown {
  if (body === null || typeof body !== "object") return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const key of ["Success", "MoreRowsExist", "MessageCode"]) {
    const v = out[key];
    if (typeof v === "boolean" || typeof v === "number") out[key] = String(v);
  }
  return out;
}
