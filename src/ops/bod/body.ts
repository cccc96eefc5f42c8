import type { IncomingMessage } from "node:http";
import { OpsError } from "../errors.ts";

/**
 * Reads a request body of at most `maxBytes`. A declared Content-Length over the bound is refused
 * before reading anything; a chunked or lying sender is refused as soon as the running total
 * passes the bound, so memory never holds more than `maxBytes` (+ one chunk). On refusal the
 * rest of the upload is discarded unread (not buffered) while the 413 goes out: destroying the
 * request would destroy the socket and the sender would never see the 413. The handler answers
 * with `Connection: close`, so node ends the socket after the response.
 */
export function readBoundedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const discard = () => {
      req.removeAllListeners("data");
      req.on("data", () => {});
      req.resume();
    };
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      discard();
      reject(new OpsError("bod_body_too_large", `body of ${declared} bytes exceeds ${maxBytes}`));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (total > maxBytes) {
        done = true;
        chunks.length = 0;
        discard();
        reject(new OpsError("bod_body_too_large", `body exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, total));
    });
    req.once("error", (err) => {
      if (done) return;
      done = true;
      reject(err);
    });
  });
}
