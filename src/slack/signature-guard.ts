import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { SlackAppStats } from "./stats.ts";

// Slack: "reject a request whose timestamp is more than five minutes from local time" (either
// direction). Bolt 5.1 refuses only stale ones, so future timestamps are refused here.
const MAX_SKEW_SECONDS = 300;

/**
 * Wraps Bolt's HTTP request listener: refuses requests to the Slack endpoints whose timestamp
 * header is missing or more than 5 minutes off (before Bolt reads the body), and counts every
 * 401, including Bolt's own signature mismatches, in `stats.rejectedSignatures`.
 */
export function guardSlackRequests(
  inner: RequestListener,
  options: { endpoints: readonly string[]; stats: SlackAppStats; clock: () => number },
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "POST" || !options.endpoints.includes(path)) return inner(req, res);
    const ts = Number(header(req, "x-slack-request-timestamp"));
    const signature = header(req, "x-slack-signature");
    const skew = Math.abs(options.clock() / 1000 - ts);
    if (!Number.isFinite(ts) || !signature?.startsWith("v0=") || skew > MAX_SKEW_SECONDS) {
      options.stats.rejectedSignatures += 1;
      req.resume();
      res.writeHead(401).end();
      return;
    }
    res.once("finish", () => {
      if (res.statusCode === 401) options.stats.rejectedSignatures += 1;
    });
    return inner(req, res);
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
