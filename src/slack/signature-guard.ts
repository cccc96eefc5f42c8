import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { codeOf } from "../shared/error-code.ts";
import { BodyBudget } from "./door/body-budget.ts";
import { checkPayloadShape } from "./door/payload-shape.ts";
import { decidePath } from "./door/request-path.ts";
import { checkSignatureHeaders, signatureMatches } from "./door/verify-signature.ts";
import type { SlackAppStats } from "./stats.ts";

export interface DoorLimits {
  /** One body; Slack's own requests are a few KB, a modal with many inputs far below this. */
  maxBodyBytes: number;
  /** All bodies not yet verified, together (413 is per body, 503 is this one). */
  maxUnverifiedBytes: number;
  /** From the request's arrival to its last body byte; a slower upload is cut off (408). */
  bodyTimeoutMs: number;
  /** Header lines per request; Slack sends about a dozen. */
  maxHeaders: number;
}

export const DEFAULT_DOOR_LIMITS: DoorLimits = {
  maxBodyBytes: 1024 * 1024,
  maxUnverifiedBytes: 8 * 1024 * 1024,
  bodyTimeoutMs: 5000,
  maxHeaders: 64,
};

export interface GuardOptions {
  endpoints: readonly string[];
  signingSecret: string;
  stats: SlackAppStats;
  clock: () => number;
  /**
   * Records a verified signature (64 hex digits) and says whether it was seen before within
   * the timestamp window: a captured request replayed byte for byte is refused. Slack signs each
   * retry afresh (new timestamp), so a legitimate retry never repeats a signature. Called only
   * after the HMAC matched, so an unverified request never writes to Redis.
   */
  seenBefore?: (signatureHex: string) => Promise<boolean>;
  /**
   * When the replay record cannot be written (Redis down or refusing writes): "refuse" (503,
   * Slack retries events) or "accept" (verified, but a replay inside the window would pass).
   */
  whenReplayCheckFails?: "refuse" | "accept";
  limits?: Partial<DoorLimits>;
  /** A failure of the replay check, as a code only (errors may carry the command's arguments). */
  onError?: (code: string) => void;
  /** Every refusal with its status and reason, for a debug line; never header values. */
  onRefused?: (r: { status: number; reason: string }) => void;
  /** Called on every 401 (e.g. to increment the Prometheus counter). */
  onRejected?: () => void;
}

const FORM = "application/x-www-form-urlencoded";
/** An unsigned `ssl_check=1&token=…` is a few dozen bytes. */
const SSL_CHECK_MAX_BYTES = 512;

/**
 * The one door in front of Bolt's HTTP receiver. Every request reaches Bolt only through here:
 *   1. the target is decided once (door/request-path.ts): only the exact endpoint spelling is a
 *      Slack request, any other spelling Bolt would route as one is 404;
 *   2. signature and timestamp headers are checked for form and window before the body is read;
 *   3. the body is read within a deadline, a per-body cap and a cap on all unverified bodies;
 *   4. the HMAC is verified here, in constant time, on the exact bytes received;
 *   5. the payload's shape is checked per type (400 with the reason, never 500);
 *   6. only then is the verified signature recorded for replay protection (the first Redis
 *      write a request can cause), and Bolt gets the buffered body.
 */
export function guardSlackRequests(inner: RequestListener, options: GuardOptions): RequestListener {
  const limits = { ...DEFAULT_DOOR_LIMITS, ...options.limits };
  const budget = new BodyBudget(limits.maxUnverifiedBytes);
  const whenReplayCheckFails = options.whenReplayCheckFails ?? "refuse";

  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    reason: string,
    headers: Record<string, string> = {},
  ) => {
    if (status === 401) {
      options.stats.rejectedSignatures += 1;
      options.onRejected?.();
    }
    options.onRefused?.({ status, reason });
    // Whatever is left of the body is read and dropped (not kept); the deadline still applies.
    req.resume();
    if (res.headersSent) return;
    const text = status === 400 ? `invalid request: ${reason}\n` : "";
    res
      .writeHead(status, {
        connection: "close",
        "content-type": "text/plain",
        "content-length": String(Buffer.byteLength(text)),
        ...headers,
      })
      .end(text);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const where = decidePath(req.url, options.endpoints);
    if (where.door === "other") return inner(req, res);
    // Until its last byte, a request on this door holds a connection (and maybe budget): a
    // slow upload is cut off here, on top of the server's own headers and request timeouts.
    const deadline = setTimeout(() => {
      if (req.complete) return;
      if (!res.headersSent) refuse(req, res, 408, "body too slow");
      req.socket.destroy();
    }, limits.bodyTimeoutMs);
    deadline.unref();
    req.once("end", () => clearTimeout(deadline));
    if (where.door === "refuse") return refuse(req, res, 404, `path ${where.reason}`);
    if (req.method !== "POST") return refuse(req, res, 405, "method", { allow: "POST" });

    if (req.rawHeaders.length / 2 > limits.maxHeaders) return refuse(req, res, 431, "headers");
    const declared = contentLength(req);
    if (declared === "invalid") return refuse(req, res, 400, "content-length");
    if (declared !== undefined && declared > limits.maxBodyBytes) {
      return refuse(req, res, 413, "body too large");
    }
    const contentType = single(req, "content-type");
    const signature = single(req, "x-slack-signature");
    const timestamp = single(req, "x-slack-request-timestamp");
    const head = checkSignatureHeaders(signature, timestamp, options.clock());
    if (!head.ok) {
      // Slack's `ssl_check=1` probe is answered without a signature (Bolt does the same); it
      // reaches no handler and writes nothing, so it needs none.
      const maybeSslCheck =
        signature === undefined &&
        timestamp === undefined &&
        contentType === FORM &&
        declared !== undefined &&
        declared <= SSL_CHECK_MAX_BYTES;
      if (!maybeSslCheck) return refuse(req, res, 401, head.reason);
    }

    readBody(req, declared, limits.maxBodyBytes, budget).then(
      async (read) => {
        if (!read.ok) return refuse(req, res, read.status, read.reason);
        let held = read.held;
        const release = () => {
          budget.give(held);
          held = 0;
        };
        try {
          if (!head.ok) {
            return parseQuery(read.body.toString("utf8")).ssl_check === "1"
              ? res.writeHead(200).end()
              : refuse(req, res, 401, head.reason);
          }
          if (!signatureMatches(options.signingSecret, head.timestamp, read.body, head.signature)) {
            return refuse(req, res, 401, "signature_mismatch");
          }
          const shape = checkPayloadShape(read.body, contentType);
          if (!shape.ok) return refuse(req, res, 400, shape.reason);
          if (shape.kind === "ssl_check") return res.writeHead(200).end();
          if (options.seenBefore) {
            let seen: boolean;
            try {
              seen = await options.seenBefore(head.signature.slice(3));
            } catch (err) {
              options.onError?.(guardFailureCode(err));
              if (whenReplayCheckFails === "refuse") {
                return refuse(req, res, 503, "replay check unavailable", { "retry-after": "1" });
              }
              seen = false;
            }
            if (seen) return refuse(req, res, 401, "replayed");
          }
          release();
          // Bolt reads a body already buffered on `rawBody` instead of the stream.
          (req as IncomingMessage & { rawBody?: Buffer }).rawBody = read.body;
          inner(req, res);
        } finally {
          release();
        }
      },
      () => refuse(req, res, 400, "body unreadable"),
    );
  };
  return (req, res) => {
    try {
      listener(req, res);
    } catch {
      if (!res.headersSent) res.writeHead(500, { connection: "close" }).end();
    }
  };
}

type BodyRead =
  | { ok: true; body: Buffer; held: number }
  | { ok: false; status: 400 | 413 | 503; reason: string };

/**
 * The body, counted against the shared budget while it is unverified. A declared length is
 * taken from the budget up front, so a flood of large unfinished uploads is refused before
 * their bytes arrive; chunked bodies take it as they come.
 */
function readBody(
  req: IncomingMessage,
  declared: number | undefined,
  maxBytes: number,
  budget: BodyBudget,
): Promise<BodyRead> {
  return new Promise((resolve) => {
    let held = 0;
    if (declared !== undefined) {
      if (!budget.take(declared)) {
        resolve({ ok: false, status: 503, reason: "too many bodies in flight" });
        return;
      }
      held = declared;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (status: 400 | 413 | 503, reason: string) => {
      if (settled) return;
      settled = true;
      budget.give(held);
      chunks.length = 0;
      resolve({ ok: false, status, reason });
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) return fail(413, "body too large");
      if (size > held) {
        if (!budget.take(size - held)) return fail(503, "too many bodies in flight");
        held = size;
      }
      chunks.push(chunk);
    });
    req.once("end", () => {
      if (settled) return;
      settled = true;
      resolve({ ok: true, body: Buffer.concat(chunks, size), held });
    });
    req.once("error", () => fail(400, "body unreadable"));
    req.once("close", () => fail(400, "connection closed"));
  });
}

function contentLength(req: IncomingMessage): number | undefined | "invalid" {
  const v = req.headers["content-length"];
  if (v === undefined) return undefined;
  return /^\d{1,10}$/.test(v) ? Number(v) : "invalid";
}

/** A header given once; a repeated Slack header is treated as missing. */
function single(req: IncomingMessage, name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() !== name) continue;
    if (value !== undefined) return undefined;
    value = req.rawHeaders[i + 1] ?? "";
  }
  return value;
}

function guardFailureCode(err: unknown): string {
  const code = codeOf(err);
  if (code !== undefined) return code;
  const e = err as { name?: unknown } | undefined;
  // Redis replies like "OOM command not allowed…" carry their code as the first word.
  const msg = (err as Error | undefined)?.message ?? "";
  const first = /^([A-Z]{2,20})\b/.exec(msg)?.[1];
  return first ?? (typeof e?.name === "string" ? e.name : "unknown");
}
