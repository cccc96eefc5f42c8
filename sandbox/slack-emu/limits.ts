// Slack's published rate limits (docs.slack.dev/apis/web-api/rate-limits): Tier 1 1+/min,
// Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min, applied per method per workspace per app.
// chat.postMessage is "special": about 1 message per second per channel, short bursts
// allowed, plus a workspace-wide limit whose value Slack does not publish (ours is an
// assumption, set in options). Limits are token buckets whose clock runs `timeScale` times
// faster than real time, so tests can run the same limits quickly.

export interface Bucket {
  /** tokens added per (scaled) second */
  ratePerSecond: number;
  /** bucket size: how many calls may go back to back from a full bucket */
  burst: number;
  /**
   * "token" (default): a token bucket refilled continuously. "minute": a fixed window of one
   * (scaled) minute allowing `ratePerSecond * 60` calls, then 429 until the window ends, which is
   * how Slack describes its tiers ("per minute", bursts tolerated within the window).
   */
  window?: "token" | "minute";
}

export interface LimitsConfig {
  postMessagePerChannel: Bucket;
  postMessageWorkspace: Bucket;
  tiers: Record<1 | 2 | 3 | 4, Bucket>;
  /** method → tier; methods not listed are not limited */
  methodTiers: Record<string, 1 | 2 | 3 | 4>;
  /** A method's own limit instead of its tier's (e.g. conversations.history for non-Marketplace apps). */
  methodBuckets?: Record<string, Bucket>;
}

export interface SlackLimitOptions {
  /**
   * Messages a channel accepts back to back beyond the steady one per second: 0 = never two
   * back to back, 3 = four. Slack says "short bursts allowed" and publishes no size.
   */
  channelBurst?: 0 | 1 | 2 | 3;
  /** Workspace-wide chat.postMessage limit, messages per (scaled) second; Slack publishes none. */
  workspacePerSecond?: number;
  /** Tier limits as one-minute windows instead of token buckets. */
  tierWindow?: "token" | "minute";
  methodBuckets?: Record<string, Bucket>;
}

/** The default limits with Slack's unpublished parts chosen (burst size, workspace cap, windows). */
export function slackLimits(o: SlackLimitOptions = {}): LimitsConfig {
  const window = o.tierWindow ?? "token";
  const tiers = Object.fromEntries(
    Object.entries(DEFAULT_LIMITS.tiers).map(([t, b]) => [t, { ...b, window }]),
  ) as LimitsConfig["tiers"];
  const ws = o.workspacePerSecond;
  return {
    ...DEFAULT_LIMITS,
    postMessagePerChannel: {
      ratePerSecond: 1,
      burst:
        o.channelBurst === undefined
          ? DEFAULT_LIMITS.postMessagePerChannel.burst
          : o.channelBurst + 1,
    },
    ...(ws
      ? { postMessageWorkspace: { ratePerSecond: ws, burst: Math.max(1, Math.ceil(ws)) } }
      : {}),
    tiers,
    ...(o.methodBuckets ? { methodBuckets: o.methodBuckets } : {}),
  };
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
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "conversations.open": 3,
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
  /** "minute" windows: when the current window started (real ms) */
  windowStartMs?: number;
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
    if (bucket.window === "minute") return this.windowWait(key, bucket);
    const s = this.refill(key, bucket);
    if (s.tokens >= 1) return 0;
    const scaledS = (1 - s.tokens) / bucket.ratePerSecond;
    return Math.ceil((scaledS * 1000) / this.timeScale);
  }

  private windowWait(key: string, bucket: Bucket): number {
    const now = this.nowMs();
    const windowMs = 60_000 / this.timeScale;
    let s = this.state.get(key);
    if (!s || s.windowStartMs === undefined || now - s.windowStartMs >= windowMs) {
      s = {
        tokens: Math.max(1, Math.round(bucket.ratePerSecond * 60)),
        atMs: now,
        windowStartMs: now,
      };
      this.state.set(key, s);
    }
    return s.tokens >= 1 ? 0 : Math.ceil((s.windowStartMs ?? now) + windowMs - now);
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
  const own = config.methodBuckets?.[method];
  if (own) return [[`method:${method}`, own]];
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
