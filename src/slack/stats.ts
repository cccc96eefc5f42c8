/** Counters the ops metrics module reads (plain numbers: no prom-client dependency here). */
export interface SlackAppStats {
  /** Requests refused before any handler ran: bad, missing, stale or future signatures. */
  rejectedSignatures: number;
  /** Events dropped because their event_id was already handled (Slack retries, replicas). */
  duplicateEvents: number;
  /** Lookups refused by the per-user rate limit. */
  rateLimitedLookups: number;
  /** Lookups answered from the short cache. */
  cachedLookups: number;
}

export function createSlackAppStats(): SlackAppStats {
  return { rejectedSignatures: 0, duplicateEvents: 0, rateLimitedLookups: 0, cachedLookups: 0 };
}
