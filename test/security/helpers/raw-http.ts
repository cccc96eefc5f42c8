import { connect, type Socket } from "node:net";

/**
 * HTTP/1.1 over a plain socket: the request target goes on the wire exactly as written (fetch and
 * undici normalise `/./`, `\`, fragments and absolute forms away, which is what is under test).
 */
export interface RawRequest {
  method?: string;
  target: string;
  headers?: readonly (readonly [string, string])[];
  body?: string | Buffer;
  /** Declared length when it differs from the body sent (unfinished uploads). */
  contentLength?: number;
  timeoutMs?: number;
}

export interface RawResponse {
  /** The status code, or 0 when the connection closed without one. */
  status: number;
  text: string;
}

export function rawRequest(port: number, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const body = typeof r.body === "string" ? Buffer.from(r.body) : (r.body ?? Buffer.alloc(0));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${r.timeoutMs ?? 5000} ms for ${r.target}`));
    }, r.timeoutMs ?? 5000);
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1];
      if (length !== undefined && text.length - end - 4 < Number(length)) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(text));
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks).toString("latin1")));
    });
    socket.write(head(r, body.length));
    socket.write(body);
  });
}

/** Opens a request and sends only its head and `firstBytes` of a body (to hold the connection). */
export function openUpload(port: number, r: RawRequest, firstBytes: Buffer): Socket {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  socket.write(head(r, r.contentLength ?? firstBytes.length));
  socket.write(firstBytes);
  return socket;
}

function head(r: RawRequest, length: number): string {
  const lines = [`${r.method ?? "POST"} ${r.target} HTTP/1.1`, "host: 127.0.0.1"];
  for (const [k, v] of r.headers ?? []) lines.push(`${k}: ${v}`);
  lines.push(`content-length: ${r.contentLength ?? length}`, "", "");
  return lines.join("\r\n");
}

function parse(text: string): RawResponse {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  const end = text.indexOf("\r\n\r\n");
  return { status: m ? Number(m[1]) : 0, text: end >= 0 ? text.slice(end + 4) : "" };
}
