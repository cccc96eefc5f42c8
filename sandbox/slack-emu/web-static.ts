import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { sendJson } from "./http-util.ts";

// The web view is plain files served as they are (no build step); only these names are served.
const FILES: Record<string, string> = {
  "/": "index.html",
  "/web/app.js": "app.js",
  "/web/render.js": "render.js",
  "/web/style.css": "style.css",
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

export function isWebPath(path: string): boolean {
  return path in FILES || path === "/favicon.ico";
}

export async function serveWeb(path: string, res: ServerResponse): Promise<void> {
  if (path === "/favicon.ico") {
    res.writeHead(204).end();
    return;
  }
  const name = FILES[path];
  if (!name) return sendJson(res, 404, { ok: false, error: "not_found" });
  const body = await readFile(new URL(`./web/${name}`, import.meta.url));
  const ext = name.split(".").pop() ?? "";
  res.writeHead(200, {
    "content-type": TYPES[ext] ?? "application/octet-stream",
    "cache-control": "no-cache",
  });
  res.end(body);
}
