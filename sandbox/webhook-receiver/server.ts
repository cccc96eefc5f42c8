import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifySignature } from "./verify.ts";

/**
 * A sandbox webhook receiver: verifies each request's signature, records every verified
 * delivery (duplicates included, so a test or the chaos ledger can count them) and keeps one per
 * Idempotency-Key, as a receiver following docs/webhooks.md does. Loopback only.
 *
 *   POST /hooks              a delivery (JSON body, signed)      → 200; a repeat of a key → 200
 *   GET  /deliveries/<id>    the optional look-up hook (signed)  → 200 have it / 404 not
 *   GET  /_inspect           every receipt and the refusals, for tests and the chaos ledger
 *
 * Faults (per POST, drawn from `random`): `failRate` answers 500 before storing; `dropRate`
 * stores, then destroys the connection (the sender cannot know); `throttleRate` answers 429
 * with Retry-After: 1 before storing.
 */
export interface ReceiverFaults {
  failRate?: number;
  dropRate?: number;
  throttleRate?: number;
}

export interface Receipt {
  id: string;
  at: number;
  /** a second (or later) receipt of this id */
  repeat: boolean;
  body: Record<string, unknown>;
}

export interface ReceiverOptions {
  secrets: readonly string[];
  port?: number;
  faults?: ReceiverFaults;
  random?: () => number;
  clock?: () => number;
}

export interface Receiver {
  url: string;
  lookupUrl: string;
  port: number;
  receipts(): Receipt[];
  /** requests refused for a bad or missing signature */
  refused(): number;
  setFaults(f: ReceiverFaults): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) resolve(undefined);
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function startReceiver(o: ReceiverOptions): Promise<Receiver> {
  const random = o.random ?? Math.random;
  const clock = o.clock ?? Date.now;
  let faults: ReceiverFaults = o.faults ?? {};
  const receipts: Receipt[] = [];
  const have = new Set<string>();
  let refused = 0;

  const server: Server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const ts = header(req, "x-cloudsuite-timestamp");
      const sig = header(req, "x-cloudsuite-signature");
      if (req.method === "GET" && path === "/_inspect") {
        return send(res, 200, { receipts, refused });
      }
      if (req.method === "GET" && path.startsWith("/deliveries/")) {
        const id = decodeURIComponent(path.slice("/deliveries/".length));
        if (!verifySignature(o.secrets, ts, sig, id, clock())) {
          refused++;
          return send(res, 401, { error: "bad_signature" });
        }
        return send(res, have.has(id) ? 200 : 404, { id, delivered: have.has(id) });
      }
      if (req.method !== "POST" || path !== "/hooks") return send(res, 404, { error: "no_route" });
      const raw = await readBody(req);
      if (raw === undefined) return send(res, 413, { error: "too_large" });
      // Verify before anything else: an unsigned request is not even parsed.
      if (!verifySignature(o.secrets, ts, sig, raw, clock())) {
        refused++;
        return send(res, 401, { error: "bad_signature" });
      }
      const key = header(req, "idempotency-key");
      const body = JSON.parse(raw) as Record<string, unknown>;
      if (!key || body.id !== key) return send(res, 400, { error: "idempotency_key_mismatch" });
      const draw = random();
      const fail = faults.failRate ?? 0;
      const throttle = faults.throttleRate ?? 0;
      const drop = faults.dropRate ?? 0;
      if (draw < fail) return send(res, 500, { error: "injected" });
      if (draw < fail + throttle)
        return send(res, 429, { error: "slow_down" }, { "retry-after": "1" });
      receipts.push({ id: key, at: clock(), repeat: have.has(key), body });
      have.add(key);
      if (draw < fail + throttle + drop) {
        res.socket?.destroy();
        return;
      }
      send(res, 200, { ok: true });
    } catch {
      send(res, 400, { error: "bad_request" });
    }
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/hooks`,
    lookupUrl: `${base}/deliveries`,
    port,
    receipts: () => [...receipts],
    refused: () => refused,
    setFaults: (f) => {
      faults = f;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
