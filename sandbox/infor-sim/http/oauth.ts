import type { SimState, TenantState } from "../state.ts";
import { json, type Reply } from "./reply.ts";

/** RFC 6749 5.1: token replies must not be cached. */
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Reply {
  return json(status, { error, error_description: description }, { ...NO_STORE, ...headers });
}

/** Client id/secret from HTTP Basic or from the form (both are used by Infor's samples). */
function clientOf(
  authorization: string | undefined,
  form: URLSearchParams,
): { id: string; secret: string } | undefined {
  if (authorization?.toLowerCase().startsWith("basic ")) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    // RFC 6749 2.3.1: id and secret are form-urlencoded before Basic; a bad escape is a bad client.
    try {
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    } catch {
      return undefined;
    }
  }
  const id = form.get("client_id");
  const secret = form.get("client_secret");
  return id && secret ? { id, secret } : undefined;
}

export function handleOAuth(
  state: SimState,
  tenant: TenantState,
  endpoint: string,
  method: string,
  authorization: string | undefined,
  form: URLSearchParams,
): Reply {
  const now = state.now();
  const config = state.config;
  if (endpoint === "revoke_token.oauth2") {
    const token = form.get("token");
    if (!token) return oauthError(400, "invalid_request", "token is required");
    const client = clientOf(authorization, form);
    // The Go sample revokes with a bare GET ?token=; POSTs carry client credentials.
    if (
      method === "POST" &&
      (!client || client.id !== tenant.credentials.ci || client.secret !== tenant.credentials.cs)
    ) {
      return oauthError(401, "invalid_client", "client authentication failed", {
        "www-authenticate": 'Basic realm="infor-sim"',
      });
    }
    // RFC 7009 2.2: an unknown token still gets 200.
    state.tokens.revoke(token, now);
    state.counters.revokes++;
    return { status: 200, headers: NO_STORE, body: "" };
  }
  if (endpoint !== "token.oauth2") return json(404, { error: "not_found" });
  if (method !== "POST") return oauthError(405, "invalid_request", "use POST");
  const client = clientOf(authorization, form);
  if (!client || client.id !== tenant.credentials.ci || client.secret !== tenant.credentials.cs) {
    return oauthError(401, "invalid_client", "client authentication failed", {
      "www-authenticate": 'Basic realm="infor-sim"',
    });
  }
  const grant = form.get("grant_type");
  if (grant !== "password" && grant !== "refresh_token") {
    return oauthError(
      400,
      grant ? "unsupported_grant_type" : "invalid_request",
      "grant_type must be password or refresh_token",
    );
  }
  if (!tenant.signIns.take(now, config.signInsPerMinute)) {
    state.counters.signInsRefused++;
    const retry =
      config.retryAfterSeconds !== undefined
        ? { "retry-after": String(config.retryAfterSeconds) }
        : {};
    return oauthError(
      429,
      "temporarily_unavailable",
      "too many sign-ins for this service account",
      retry,
    );
  }
  if (grant === "password") {
    if (
      form.get("username") !== tenant.credentials.saak ||
      form.get("password") !== tenant.credentials.sask
    ) {
      state.counters.invalidGrants++;
      return oauthError(400, "invalid_grant", "the service account credentials are not valid");
    }
    state.counters.signIns++;
    const refresh = config.issueRefreshTokens
      ? { lifetimeSeconds: config.refreshTokenLifetimeSeconds }
      : undefined;
    const issued = state.tokens.issue(tenant.id, now, config.tokenLifetimeSeconds, refresh);
    return json(
      200,
      {
        access_token: issued.access.token,
        token_type: "Bearer",
        expires_in: config.tokenLifetimeSeconds,
        ...(issued.refresh ? { refresh_token: issued.refresh.token } : {}),
      },
      NO_STORE,
    );
  }
  const refreshToken = form.get("refresh_token") ?? "";
  const check = state.tokens.check(refreshToken, tenant.id, "refresh", now);
  const existing = state.tokens.get(refreshToken);
  if (check !== "ok" || !existing) {
    state.counters.invalidGrants++;
    return oauthError(
      400,
      "invalid_grant",
      `refresh token is ${check === "ok" ? "unknown" : check}`,
    );
  }
  state.counters.refreshes++;
  // Rolling refresh tokens (RFC 6749 6: "MAY issue a new refresh token", then the client must
  // discard the old one): the old token is retired so a client that keeps it fails.
  if (config.rollingRefreshTokens) state.tokens.retire(existing.token, now);
  const issued = state.tokens.issue(tenant.id, now, config.tokenLifetimeSeconds, {
    ...(config.rollingRefreshTokens ? {} : { existing }),
    lifetimeSeconds: config.refreshTokenLifetimeSeconds,
  });
  return json(
    200,
    {
      access_token: issued.access.token,
      token_type: "Bearer",
      expires_in: config.tokenLifetimeSeconds,
      refresh_token: issued.refresh?.token ?? existing.token,
    },
    NO_STORE,
  );
}
