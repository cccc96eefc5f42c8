import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { createControl, type InforSimControl, type IonapiFile } from "./control/control.ts";
import { handleControl } from "./control/routes.ts";
import type { FaultSpec } from "./gateway/faults.ts";
import { handleApi } from "./http/api.ts";
import { handleOAuth } from "./http/oauth.ts";
import { htmlErrorPage, json, type Reply } from "./http/reply.ts";
import type { InforSimOptions } from "./options.ts";
import { SimState, type TenantState } from "./state.ts";

export type { InforSimControl, IonapiFile } from "./control/control.ts";
export type { FaultMode, FaultSpec } from "./gateway/faults.ts";
export type { InforSimOptions, SimConfig } from "./options.ts";

export interface InforSim {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The first tenant id. */
  tenant: string;
  tenants: string[];
  /** The .ionapi JSON for the first tenant. */
  ionapi: IonapiFile;
  ionapiFor(tenant: string): IonapiFile;
  control: InforSimControl;
  close(): Promise<void>;
}

const MAX_BODY = 1_000_000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, reply: Reply, truncate = false): void {
  const body = reply.body === undefined ? undefined : Buffer.from(reply.body, "utf8");
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(body?.length ?? 0) });
  if (!body) {
    res.end();
    return;
  }
  if (truncate) {
    // Half the promised bytes, then the connection drops: the client sees a short body.
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(body);
}

interface Routed {
  fault: FaultSpec | undefined;
  tenant: TenantState | undefined;
  tenantId: string;
  kind: "token" | "api";
  method: string;
  rest: string;
  url: URL;
}

/** The gateway's answer to one tenant request (faults first, then OAuth or the API). */
async function respond(state: SimState, req: IncomingMessage, r: Routed): Promise<Reply> {
  const { fault, tenant } = r;
  if (fault?.mode === "status5xx")
    return json(fault.status ?? 503, { error: "Service Unavailable" });
  if (fault?.mode === "htmlError") return htmlErrorPage(fault.status ?? 502);
  if (fault?.mode === "malformedJson")
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: '{"results":[{"transaction":"',
    };
  if (!tenant)
    return json(404, { error: "Not Found", message: `tenant ${r.tenantId} is not served` });
  if (r.kind === "token") {
    const form = new URLSearchParams(r.method === "POST" ? await readBody(req) : r.url.search);
    return handleOAuth(state, tenant, r.rest.slice(3), r.method, req.headers.authorization, form);
  }
  if (r.method !== "GET") return json(405, { error: "Method Not Allowed" });
  return handleApi(state, tenant, {
    rest: r.rest,
    query: r.url.searchParams,
    headers: req.headers,
    fault,
  });
}

/** Starts the ION API Gateway simulator on loopback (plain http: the sandbox rule). */
export async function startInforSim(options: InforSimOptions = {}): Promise<InforSim> {
  const logger = options.logger ?? pino({ level: "silent" });
  const state = new SimState(options);
  let baseUrl = "";
  const control = createControl(state, () => baseUrl);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (path.startsWith("/_sim/")) {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text.trim() === "" ? undefined : JSON.parse(text);
      } catch {
        send(res, json(400, { error: "bad_json", message: "the control body is not JSON" }));
        return;
      }
      send(res, handleControl(control, method, path, url.searchParams, body));
      return;
    }
    state.counters.requests++;
    const [, tenantId = "", ...restParts] = path.split("/");
    const tenant = state.tenants.get(tenantId);
    const rest = restParts.join("/");
    const kind = rest.startsWith("as/") ? "token" : "api";
    const decision = state.faults.decide(kind);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const fault = decision.terminal;
    const logEntry = { method, path: `${path}${url.search}`, tenant: tenantId };
    if (fault) state.counters.faults[fault.mode] = (state.counters.faults[fault.mode] ?? 0) + 1;
    if (fault?.mode === "reset") {
      state.record({ ...logEntry, status: 0, fault: "reset" });
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    try {
      reply = await respond(state, req, { fault, tenant, tenantId, kind, method, rest, url });
    } catch (error) {
      // Every request reaches the log, a failing one too: tests count what the client was answered.
      logger.error({ err: error, path }, "infor-sim request failed");
      reply = json(500, { error: "Internal Server Error" });
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.drop) {
      // An ambiguous timeout: M3 applied the transaction, the caller never hears back.
      state.record({ ...logEntry, status: 0, fault: "answer_lost" });
      req.socket.destroy();
      return;
    }
    state.record({ ...logEntry, status: reply.status, ...(fault ? { fault: fault.mode } : {}) });
    send(res, reply, fault?.mode === "truncated");
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, "infor-sim request failed");
      if (!res.headersSent) send(res, json(500, { error: "Internal Server Error" }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.address}:${address.port}`;
  const tenants = [...state.tenants.keys()];
  const first = tenants[0] ?? "";
  logger.info({ url: baseUrl, tenants }, "infor-sim listening");
  return {
    url: baseUrl,
    tenant: first,
    tenants,
    ionapi: control.ionapiFor(first),
    ionapiFor: (tenant) => control.ionapiFor(tenant),
    control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
