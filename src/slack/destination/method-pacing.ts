import type { FetchFunction } from "@slack/web-api";
import { deliveryKeys } from "../../delivery/keys.ts";
import { methodTakeScript } from "../../delivery/scripts.ts";
import type { RedisClient } from "../../shared/redis-client.ts";

/**
 * Web API tiers of the methods we call, from each method's reference page
 * (docs.slack.dev/reference/methods/<method>, "Rate limits"). chat.postMessage is "special"
 * (per channel and per workspace) and paced by delivery's own pacer, not here.
 */
export const METHOD_TIERS: Readonly<Record<string, 1 | 2 | 3 | 4>> = {
  "auth.test": 4,
  "chat.update": 3,
  "chat.delete": 3,
  "chat.postEphemeral": 4,
  "chat.getPermalink": 4,
  "conversations.history": 3,
  "conversations.replies": 3,
  "conversations.info": 3,
  "conversations.open": 3,
  "conversations.list": 2,
  "usergroups.users.list": 2,
  "users.info": 4,
  "views.open": 4,
  "views.update": 4,
  "views.publish": 4,
};

/** Slack's published floors ("Tier 2: 20+ per minute"): the most we assume. */
export const TIER_PER_MINUTE = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

export interface MethodPacingOptions {
  redis: RedisClient;
  /** the same prefix as delivery's, so chat.update and history share one bucket per method */
  prefix: string;
  /** the fetch to call once a slot is reserved (globalThis.fetch by default) */
  fetch?: FetchFunction;
  /**
   * The longest a call waits for its slot, ms. Interactive calls answer a person (views.open
   * must come within 3 s of the click), so beyond this the call goes at once and Slack decides.
   */
  maxWaitMs?: number;
  /** the sandbox emulator's faster clock; 1 against Slack */
  timeScale?: number;
  /** overrides: method → calls per minute */
  perMinute?: Record<string, number>;
  /**
   * Calls that may go back to back beyond a method's steady rate. Slack tolerates "occasional"
   * (Tier 2), "sporadic" (Tier 3) and "generous" (Tier 4) bursts without a figure, so none by
   * default (routing.yml delivery.methodBurst; delivery's pacer takes the same on the same keys).
   */
  burst?: number;
}

export function methodOf(url: string | URL): string {
  const path = typeof url === "string" ? new URL(url, "http://x").pathname : url.pathname;
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * A fetch for WebClient (`new WebClient(token, { fetch })`) that paces every tiered method
 * through Redis, so all replicas and roles share one budget per method, and holds a method for
 * everyone after a 429 (its Retry-After). Methods with no tier listed pass straight through.
 */
export function pacedFetch(o: MethodPacingOptions): FetchFunction {
  const base: FetchFunction = o.fetch ?? (globalThis.fetch as unknown as FetchFunction);
  const keys = deliveryKeys(o.prefix);
  const scale = o.timeScale ?? 1;
  const maxWaitMs = o.maxWaitMs ?? 2000;
  const burst = o.burst ?? 0;
  return async (url, init) => {
    const method = methodOf(url);
    const tier = METHOD_TIERS[method];
    if (tier) {
      const perMinute = o.perMinute?.[method] ?? TIER_PER_MINUTE[tier];
      const interval = 60_000 / (perMinute * scale);
      const wait = await methodTakeScript.run(o.redis, {
        keys: { tat: keys.methodTat(method) },
        args: {
          now: "",
          intervalMs: interval,
          toleranceMs: burst * interval,
          maxWaitMs,
        },
      });
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const res = await base(url, init);
    if (tier && res.status === 429) {
      // Retry-After is whole seconds; everyone waits it out before this method's next call.
      const seconds = Number.parseInt(res.headers.get("retry-after") ?? "1", 10);
      const ms = Math.max(1, Number.isFinite(seconds) ? seconds : 1) * 1000;
      const key = keys.methodTat(method);
      const until = Date.now() + ms;
      const current = Number((await o.redis.get(key)) ?? 0);
      if (until > current) await o.redis.set(key, String(until), "PX", ms + 1000);
    }
    return res;
  };
}
