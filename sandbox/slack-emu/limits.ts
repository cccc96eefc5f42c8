// Slack's published rate limits (docs.slack.dev/apis/web-api/rate-limits): Tier 1 1+/min,
// Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min, applied per method per workspace per app.
// chat.postMessage is "special": about 1 message per second per channel, short bursts
// allowed, plus a workspace-wide limit whose value Slack does not publish (ours is an
// assumption, set in options). Limits are token buckets whose clock runs `timeScale` times
// faster than real time, so tests can run the same limits quickly.

export interface Bucket {
  /** tokens added per (scaled) second */
  ratePerSecond: number;
  /** bucket size: the burst tolerated on top of the rate */
  burst: number;
}

export interface LimitsConfig {
  postMessagePerChannel: Bucket;
  postMessageWorkspace: Bucket;
  tiers: Record<1 | 2 | 3 | 4, Bucket>;
  /** method → tier; methods not listed are not limited */
  methodTiers: Record<string, 1 | 2 | 3 | 4>;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  postMessagePerChannel: { ratePerSecond: 1, burst: 3 },
  // Assumption: Slack publishes no figure. 30/s keeps 20 channels at 1/s below the cap.
  postMessageWorkspace: { ratePerSecond: 30, burst: 30 },
  tiers: {
    1: { ratePerSecond: 1 / 60, burst: 2 },
    2: { ratePerSecond: 20 / 60, burst: 20 },
    3: { ratePerSecond: 50 / 60, burst: 50 },
    4: { ratePerSecond: 100 / 60, burst: 100 },
  },
  // Tiers as listed on each method's reference page.
  methodTiers: {
    "auth.test": 4,
    "chat.update": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "conversations.list": 2,
    "conversations.info": 3,
    "conversations.join": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "views.open": 4,
    "views.update": 4,
    "views.publish": 4,
    "users.info": 4,
    "usergroups.users.list": 2,
  },
};

interface BucketState {
  tokens: number;
  atMs: number;
}

export interface LimitDecision {
  allowed: boolean;
  /** real milliseconds until a call would be allowed (0 when allowed) */
  retryAfterMs: number;
}

/** Token buckets keyed by string; time is scaled by `timeScale`. */
export class RateLimiter {
  private readonly state = new Map<string, BucketState>();
  private readonly nowMs: () => number;
  private readonly timeScale: number;

  constructor(nowMs: () => number, timeScale: number) {
    this.nowMs = nowMs;
    this.timeScale = timeScale;
  }

  private refill(key: string, bucket: Bucket): BucketState {
    const now = this.nowMs();
    const s = this.state.get(key) ?? { tokens: bucket.burst, atMs: now };
    const elapsedScaledS = ((now - s.atMs) / 1000) * this.timeScale;
    s.tokens = Math.min(bucket.burst, s.tokens + elapsedScaledS * bucket.ratePerSecond);
    s.atMs = now;
    this.state.set(key, s);
    return s;
  }

  /** Real ms until `key` holds one token, without taking it. */
  wait(key: string, bucket: Bucket): number {
    const s = this.refill(key, bucket);
    if (s.tokens >= 1) return 0;
    const scaledS = (1 - s.tokens) / bucket.ratePerSecond;
    return Math.ceil((scaledS * 1000) / this.timeScale);
  }

  /** Takes one token from every bucket, or none when any is empty. */
  take(entries: Array<[string, Bucket]>): LimitDecision {
    let retryAfterMs = 0;
    for (const [key, bucket] of entries)
      retryAfterMs = Math.max(retryAfterMs, this.wait(key, bucket));
    if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
    for (const [key] of entries) {
      const s = this.state.get(key);
      if (s) s.tokens -= 1;
    }
    return { allowed: true, retryAfterMs: 0 };
  }

  reset(): void {
    this.state.clear();
  }
}

export function limitEntries(
  config: LimitsConfig,
  method: string,
  channel: string | undefined,
): Array<[string, Bucket]> {
  if (method === "chat.postMessage") {
    const entries: Array<[string, Bucket]> = [["post:workspace", config.postMessageWorkspace]];
    if (channel) entries.push([`post:${channel}`, config.postMessagePerChannel]);
    return entries;
  }
  const tier = config.methodTiers[method];
  return tier ? [[`tier:${method}`, config.tiers[tier]]] : [];
}

/**
 * Retry-After is whole seconds in Slack (and @slack/web-api parses it with parseInt), so a
 * scaled wait is rounded up to the next second, never below 1; the precise wait travels in
 * our own header X-Emu-Retry-After-Ms.
 */
export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  return {
    "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    "x-emu-retry-after-ms": String(retryAfterMs),
  };
}
