import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { SlackAppStats } from "./stats.ts";

// Slack: reject a request whose timestamp is more than five minutes from local time (either
// direction). Bolt 5.1 refuses only stale ones, so future timestamps are refused here.
const MAX_SKEW_SECONDS = 300;

export interface GuardOptions {
  endpoints: readonly string[];
  stats: SlackAppStats;
  clock: () => number;
  /**
   * Records a signature and says whether it was seen before within the timestamp window. A
   * captured request replayed byte for byte inside the 5 minutes is refused too. Slack signs each
   * retry afresh (new timestamp), so a legitimate retry never repeats a signature a second later.
   */
  seenBefore?: (signature: string) => Promise<boolean>;
  onError?: (err: unknown) => void;
  /** Called on every refusal (e.g. to increment the Prometheus counter). */
  onRejected?: () => void;
}

/**
 * Wraps Bolt's HTTP request listener for the Slack endpoints: refuses a missing, stale, future or
 * repeated signature before Bolt reads the body, and counts every 401 (Bolt's own signature
 * mismatches included) in `stats.rejectedSignatures`.
 */
export function guardSlackRequests(inner: RequestListener, options: GuardOptions): RequestListener {
  const count = () => {
    options.stats.rejectedSignatures += 1;
    options.onRejected?.();
  };
  const refuse = (req: IncomingMessage, res: ServerResponse) => {
    count();
    req.resume();
    res.writeHead(401).end();
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "POST" || !options.endpoints.includes(path)) return inner(req, res);
    const ts = Number(header(req, "x-slack-request-timestamp"));
    const signature = header(req, "x-slack-signature");
    const skew = Math.abs(options.clock() / 1000 - ts);
    if (!Number.isFinite(ts) || !signature?.startsWith("v0=") || skew > MAX_SKEW_SECONDS) {
      return refuse(req, res);
    }
    const pass = () => {
      res.once("finish", () => {
        if (res.statusCode === 401) count();
      });
      inner(req, res);
    };
    if (!options.seenBefore) return pass();
    // The body stays buffered in the stream (no 'data' listener yet) until Bolt reads it.
    options.seenBefore(signature).then(
      (seen) => {
        if (seen) return refuse(req, res);
        pass();
      },
      (err) => {
        // Redis down: fall back to Bolt's own checks rather than refusing every request.
        options.onError?.(err);
        pass();
      },
    );
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
