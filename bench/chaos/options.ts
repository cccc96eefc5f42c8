/**
 * What one chaos run does. The full run is `npm run chaos`; the short variant runs in `npm test`
 * (test/chaos/chaos-short.test.ts). Every random choice (fault moments, which worker dies) comes
 * from `seed`, so a failing run can be repeated with `npm run chaos -- --seed <n>`.
 */
export interface ChaosOptions {
  seed: number;
  /** Invoices created in the simulator while the faults happen. */
  records: number;
  /** Worker processes running delivery and polls (plus one scheduler process). */
  workers: number;
  /** SIGKILLs of a worker process, each followed by a restart. */
  workerKills: number;
  /** Restarts of the private redis-server (AOF on). */
  redisRestarts: number;
  /** Share of chat.postMessage calls answered 500 (nothing stored). */
  slack500Rate: number;
  /** Share of chat.postMessage calls stored and then never answered (connection dropped). */
  slackAmbiguousRate: number;
  /** Bursts in which the ION gateway throttles (429) every call. */
  throttleBursts: number;
  /** Early expiries of every ION access token. */
  tokenExpiries: number;
  /** Emulator and delivery time scale: Slack's 1 message/s per channel becomes this many. */
  timeScale: number;
  /** Real time over which the records are created (the faults fall inside it and just after). */
  injectOverMs: number;
  /** ERP days the records are spread over (the simulator's clock moves a day at a time). */
  days: number;
  /** Give up waiting for delivery after this long without progress. */
  stallTimeoutMs: number;
  /** Once everything expected is in Slack: how long the delivery queue may take to empty. */
  drainTimeoutMs: number;
  /** Hard bound of the whole run. */
  timeLimitMs: number;
  /** How the app processes are started (see procs.ts). */
  mode: "app" | "serve";
  /**
   * M3 event push on (docs/push.md): a web process serves POST /m3/events and the simulator posts
   * its database events there, dropping this share of them (0..1); undefined = push off, the
   * polls alone bring the records.
   */
  pushDropShare?: number;
  /** Print progress lines to stderr. */
  verbose: boolean;
}

export const FULL: ChaosOptions = {
  seed: 20261201,
  records: 10_000,
  workers: 3,
  workerKills: 5,
  redisRestarts: 1,
  slack500Rate: 0.05,
  slackAmbiguousRate: 0.01,
  throttleBursts: 3,
  tokenExpiries: 1,
  timeScale: 100,
  injectOverMs: 90_000,
  days: 10,
  stallTimeoutMs: 120_000,
  drainTimeoutMs: 60_000,
  timeLimitMs: 25 * 60_000,
  mode: "app",
  verbose: true,
};

/** The `npm test` variant: 1,000 records, fewer faults, bounded to about a minute. */
export const SHORT: ChaosOptions = {
  ...FULL,
  seed: 7,
  records: 1_000,
  workers: 2,
  workerKills: 1,
  redisRestarts: 1,
  throttleBursts: 1,
  tokenExpiries: 1,
  injectOverMs: 15_000,
  days: 3,
  // A worker killed in the middle of a poll leaves the poll lock (60 s TTL, src/sync) behind:
  // polling of that key resumes only when it expires, so "no progress" must outlast it.
  stallTimeoutMs: 80_000,
  // Usually 60-90 s alone; `npm test` runs other files beside it on the same two cores.
  timeLimitMs: 240_000,
  verbose: false,
};
