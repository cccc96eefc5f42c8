import type { Logger } from "pino";
import type { AuditRetention } from "../audit/types.ts";
import type { AppEnv } from "../config/env.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import type { DeliveryConfigInput } from "../delivery/config.ts";
import type { MaintenanceSettings } from "./maintenance.ts";

/**
 * What one process runs. `web` answers Slack (commands, buttons, App Home) and serves the ops
 * routes and the BOD webhook; `worker` runs delivery, poll and maintenance jobs; `scheduler` upserts
 * the poll and maintenance job schedulers and sweeps approval reminders; `all` is every role in one process.
 */
export const ROLES = ["web", "worker", "scheduler", "all"] as const;
export type Role = (typeof ROLES)[number];

/** Seams for tests and the demo; production passes none. */
export interface AppOverrides {
  /** Redis key prefix of everything the app stores (default "cs:"). */
  prefix?: string;
  /** HTTP port instead of env.port (0 = any free port). */
  port?: number;
  /** Known bot ids skip auth.test (the emulator's are fixed). */
  botId?: string;
  botUserId?: string;
  delivery?: DeliveryConfigInput;
  /** Rows per ERP read (default 200). */
  pageSize?: number;
  /**
   * Poll lock TTL in ms (sync's default 60 s; renewed every third of it while a poll runs). A
   * worker killed mid-poll blocks its key this long, so fault-injection runs shorten it.
   */
  pollLockTtlMs?: number;
  /**
   * Audit retention and the open-exception sweep: intervals (0 = off) and invoices per sweep
   * (default hourly each, 200 invoices; src/app/maintenance.ts).
   */
  maintenance?: Partial<MaintenanceSettings>;
  /** Audit log retention (default: 400 days). */
  auditRetention?: AuditRetention;
  /** How often the scheduler sweeps approval reminders (default 5 min). */
  approvalSweepMs?: number;
  /** How often the scheduler reads M3 for decisions taken there (default 60 s). */
  erpReflectMs?: number;
  /** Credentials of `POST /ion/bod`; default from BOD_HMAC_SECRETS / BOD_BEARER_TOKENS. */
  bod?: { hmacSecrets?: string[]; bearerTokens?: string[] };
  /** Credentials of `POST /m3/events`; default from PUSH_HMAC_SECRETS / PUSH_BEARER_TOKENS. */
  push?: { hmacSecrets?: string[]; bearerTokens?: string[] };
  /** Requests per minute per tenant instead of routing.yml's (the simulator is not ION). */
  requestsPerMinute?: number;
  /** Install SIGTERM/SIGINT handlers that close the app and exit (serve does; tests do not). */
  handleSignals?: boolean;
  /** Shutdown deadline (default 25 s). */
  shutdownDeadlineMs?: number;
}

export interface StartAppOptions {
  env: AppEnv;
  routing: RoutingConfig;
  roles: readonly Role[];
  logger: Logger;
  overrides?: AppOverrides;
}

export interface AppHandle {
  /** Base URL of the HTTP server (web role over HTTP), e.g. http://127.0.0.1:3000 */
  url: string | undefined;
  /** Where Slack must send commands, interactions and events. */
  slackRequestUrl: string | undefined;
  roles: readonly Role[];
  /** Stops taking work, finishes in-flight jobs, revokes ION tokens, closes Redis. */
  close(): Promise<void>;
}

/** Expand `all` and dedupe. */
export function effectiveRoles(roles: readonly Role[]): Set<Exclude<Role, "all">> {
  const out = new Set<Exclude<Role, "all">>();
  for (const r of roles.length === 0 ? (["all"] as const) : roles) {
    if (r === "all") {
      out.add("web");
      out.add("worker");
      out.add("scheduler");
    } else out.add(r);
  }
  return out;
}

export function parseRoles(text: string): Role[] | undefined {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  for (const p of parts) if (!(ROLES as readonly string[]).includes(p)) return undefined;
  return parts as Role[];
}
