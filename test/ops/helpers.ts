import { request } from "node:http";
import { codeOf } from "../../src/shared/error-code.ts";

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

/**
 * A raw node:http request on 127.0.0.1. With `chunks`, the body is sent chunked (no
 * Content-Length), as a sender that lies or streams would; a server that answers early and closes
 * may reset the upload, which is fine as long as the response arrived.
 */
export function httpRequest(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunks?: AsyncIterable<Buffer> | Iterable<Buffer>;
  },
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => {
          settled = true;
          const text = Buffer.concat(parts).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on("error", (err) => {
      // EPIPE/ECONNRESET while still uploading after the server already answered: wait for it.
      const code = codeOf(err);
      if (code === "EPIPE" || code === "ECONNRESET") {
        setTimeout(() => {
          if (!settled) reject(err);
        }, 500);
        return;
      }
      if (!settled) reject(err);
    });
    if (options.chunks) {
      (async () => {
        for await (const c of options.chunks as AsyncIterable<Buffer>) {
          if (req.destroyed) return;
          if (!req.write(c)) await new Promise((r) => req.once("drain", r));
        }
        req.end();
      })().catch(() => {});
    } else {
      req.end(options.body);
    }
  });
}
