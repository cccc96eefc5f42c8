import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { SlackAppStats } from "./stats.ts";

// Slack: reject a request whose timestamp is more than five minutes from local time (either
// direction). Bolt 5.1 refuses only stale ones, so future timestamps are refused here.
const MAX_SKEW_SECONDS = 300;
// Slack's own requests are a few KB; a modal submission with many inputs stays far below this.
const MAX_BODY_BYTES = 1024 * 1024;

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
      // Bolt 5.1 reads properties of the parsed body without checking it is an object: a signed
      // `payload=null` (or a JSON `null`) throws outside its error handling and the unhandled
      // rejection ends the process. Bolt takes a body already buffered on `rawBody`, so read it
      // here, refuse anything that parses to a non-object with 400, and hand the rest on.
      bufferBody(req, MAX_BODY_BYTES).then(
        (raw) => {
          if (raw === undefined) {
            res.writeHead(413).end();
            return;
          }
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
          if (parsesToNonObject(raw, header(req, "content-type"))) {
            res.writeHead(400).end();
            return;
          }
          inner(req, res);
        },
        (err) => {
          options.onError?.(err);
          if (!res.headersSent) res.writeHead(400).end();
        },
      );
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

/** The whole body, or undefined when it exceeds `limit` (the rest is drained, not kept). */
function bufferBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once("end", () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.once("error", reject);
  });
}

/**
 * Bolt's own parse (form with a `payload` JSON field, form fields, or JSON) gives a non-object.
 * Bodies that do not parse at all are left to Bolt, which answers those with 400 itself.
 */
function parsesToNonObject(raw: Buffer, contentType: string | undefined): boolean {
  try {
    const text = raw.toString("utf8");
    let parsed: unknown;
    if (contentType === "application/x-www-form-urlencoded") {
      const payload = new URLSearchParams(text).get("payload");
      if (payload === null) return false;
      parsed = JSON.parse(payload);
    } else parsed = JSON.parse(text);
    return typeof parsed !== "object" || parsed === null || Array.isArray(parsed);
  } catch {
    return false;
  }
}
