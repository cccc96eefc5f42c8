import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendJson } from "./http-util.ts";
import type { EmuInspect } from "./inspect.ts";
import type { EmuEvent } from "./types.ts";

// HTTP face of the inspection API, under /_emu/. JSON in, JSON out; GET /_emu/events is a
// server-sent events stream (one `event: <type>` + `data: <json>` per change) for the web view.

export interface InspectHttpDeps {
  inspect: EmuInspect;
  /** control actions reachable over HTTP (faults, token state); see server.ts */
  control: (action: string, body: Record<string, unknown>) => unknown;
  /** platform actions reachable over HTTP (slash command, block action, …) */
  platform: (action: string, body: Record<string, unknown>) => Promise<unknown>;
  sse: Set<ServerResponse>;
}

function openEvents(deps: InspectHttpDeps, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.write(": connected\n\n");
  const send = (e: EmuEvent) => res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
  const off = deps.inspect.subscribe(send);
  deps.sse.add(res);
  req.on("close", () => {
    off();
    deps.sse.delete(res);
  });
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (raw.trim() === "") return {};
  const v: unknown = JSON.parse(raw);
  return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
}

export async function handleInspect(
  deps: InspectHttpDeps,
  path: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const i = deps.inspect;
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  const parts = path.split("/").filter(Boolean);
  const [head, id, sub] = parts;
  if (req.method === "GET") {
    if (head === "events") return openEvents(deps, req, res);
    if (head === "workspace") return sendJson(res, 200, i.workspace());
    if (head === "channels" && !id) return sendJson(res, 200, i.channels());
    if (head === "channels" && id && sub === "messages") return sendJson(res, 200, i.messages(id));
    if (head === "channels" && id && sub === "all") return sendJson(res, 200, i.allMessages(id));
    if (head === "channels" && id && sub === "thread") {
      return sendJson(res, 200, i.thread(id, q("ts") ?? ""));
    }
    if (head === "ephemerals") {
      const f: { channel?: string; user?: string } = {};
      const channel = q("channel");
      const user = q("user");
      if (channel) f.channel = channel;
      if (user) f.user = user;
      return sendJson(res, 200, i.ephemerals(f));
    }
    if (head === "response-posts") return sendJson(res, 200, i.responseUrlPosts());
    if (head === "views") return sendJson(res, 200, i.views());
    if (head === "home" && id) return sendJson(res, 200, i.home(id) ?? null);
    if (head === "ratelimited") return sendJson(res, 200, i.rateLimited());
    if (head === "requests") {
      const method = q("method");
      return sendJson(res, 200, i.requests(method ? { method } : {}));
    }
    if (head === "platform-requests") return sendJson(res, 200, i.platformRequests());
    if (head === "faults") return sendJson(res, 200, deps.control("listFaults", {}));
  }
  if (req.method === "POST") {
    let body: Record<string, unknown>;
    try {
      body = await jsonBody(req);
    } catch {
      return sendJson(res, 400, { ok: false, error: "invalid_json" });
    }
    if (head === "reset") {
      i.reset();
      return sendJson(res, 200, { ok: true });
    }
    try {
      if (head === "control" && id)
        return sendJson(res, 200, { ok: true, result: deps.control(id, body) });
      if (head === "platform" && id) {
        return sendJson(res, 200, { ok: true, result: await deps.platform(id, body) });
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return sendJson(res, 400, {
        ok: false,
        error: typeof code === "string" ? code : "bad_request",
      });
    }
  }
  sendJson(res, 404, { ok: false, error: "not_found" });
}
