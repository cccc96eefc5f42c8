import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { pino } from "pino";
import type { Registry } from "prom-client";

/**
 * A route in the shape of Bolt's `CustomRoute` (`{ path, method, handler(req, res) }`), so the same
 * array serves as `customRoutes` on the Bolt HTTP receiver (role web) and on a bare node:http
 * server (roles worker and scheduler, which run no Bolt app but must still answer probes).
 */
export interface HttpRoute {
  path: string;
  method: string | string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

const silent = pino({ level: "silent" });

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** Wraps an async handler for Bolt's `void` signature: a rejection becomes a 500, never a crash. */
export function asyncHandler(
  fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  logger: Logger = silent,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    fn(req, res).catch((err: unknown) => {
      logger.error({ err, path: req.url }, "ops route failed");
      if (!res.writableEnded) sendJson(res, 500, { status: "error", error: "internal" });
    });
  };
}

/** `GET /metrics` in Prometheus text format. */
export function metricsRoute(registry: Registry, logger: Logger = silent): HttpRoute {
  return {
    path: "/metrics",
    method: "GET",
    handler: asyncHandler(async (_req, res) => {
      const text = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
      res.end(text);
    }, logger),
  };
}

/** A node:http request listener over routes: 404 for unknown paths, 405 for wrong methods. */
export function createRouter(routes: readonly HttpRoute[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const matching = routes.filter((r) => r.path === path);
    if (matching.length === 0) {
      sendJson(res, 404, { status: "error", error: "not_found" });
      return;
    }
    const method = (req.method ?? "GET").toUpperCase();
    const route = matching.find((r) =>
      (Array.isArray(r.method) ? r.method : [r.method]).some((m) => m.toUpperCase() === method),
    );
    if (!route) {
      const allowed = matching.flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]));
      res.setHeader("allow", allowed.join(", "));
      sendJson(res, 405, { status: "error", error: "method_not_allowed" });
      return;
    }
    route.handler(req, res);
  };
}

export interface OpsServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Starts a plain HTTP server for the routes (roles without Bolt). Port 0 picks a free one. */
export async function startOpsServer(
  routes: readonly HttpRoute[],
  options: { port?: number; host?: string } = {},
): Promise<OpsServer> {
  const server = createServer(createRouter(routes));
  // Probes and scrapes are short; do not let idle keep-alive sockets hold shutdown open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
