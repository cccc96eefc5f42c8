import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY = 5 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Waits `ms`; an abort ends the wait early (resolved, not rejected) and clears the timer. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export type ParsedBody =
  | { kind: "json"; data: Record<string, unknown> }
  | { kind: "form"; data: Record<string, unknown> }
  | { kind: "invalid"; error: string };

/** Slack accepts form-encoded bodies (token allowed in them) and JSON bodies (token only in the header). */
export function parseBody(contentType: string | undefined, raw: string): ParsedBody {
  const ct = (contentType ?? "").toLowerCase();
  if (ct.startsWith("application/json")) {
    if (raw.trim() === "") return { kind: "json", data: {} };
    try {
      const v: unknown = JSON.parse(raw);
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        return { kind: "invalid", error: "invalid_json" };
      }
      return { kind: "json", data: v as Record<string, unknown> };
    } catch {
      return { kind: "invalid", error: "invalid_json" };
    }
  }
  if (raw !== "" && ct !== "" && !ct.startsWith("application/x-www-form-urlencoded")) {
    return { kind: "invalid", error: "invalid_post_type" };
  }
  return { kind: "form", data: Object.fromEntries(new URLSearchParams(raw)) };
}
