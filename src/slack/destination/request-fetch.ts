import { STATUS_CODES } from "node:http";
import type { FetchFunction } from "@slack/web-api";
import { type Dispatcher, request } from "undici";

type FetchResponse = Awaited<ReturnType<FetchFunction>>;
type FetchHeaders = FetchResponse["headers"];

/**
 * The bulk path's WebClient `fetch` on undici's `request` (the API the Infor client uses): the
 * WHATWG `fetch` wraps every request and response in web streams, and on the bench's pipeline
 * (bench/scenarios/pipeline.ts) it took about as much CPU per post as the rest of the post's
 * Slack call. The WebClient reads only what `FetchResponse` names (status, headers, text, JSON,
 * bytes), so the whole body is read once and served from memory.
 *
 * Same outcomes as `fetch` where delivery looks: a network error, a timeout or an abort rejects
 * (the WebClient makes it its request error: ambiguous, errors.ts); a redirect rejects too, as
 * `redirect: "error"` (the WebClient's setting) makes `fetch` do; every other status is a
 * response. A FormData body (file uploads, never on this path) goes to the global `fetch`.
 */
export const requestFetch: FetchFunction = async (url, init = {}) => {
  const body = init.body;
  if (body !== undefined && typeof body !== "string") {
    return (globalThis.fetch as unknown as FetchFunction)(url, init);
  }
  const href = typeof url === "string" ? url : url.href;
  const res = await request(href, {
    method: (init.method ?? "GET") as Dispatcher.HttpMethod,
    ...(init.headers ? { headers: init.headers } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode >= 300 && res.statusCode < 400 && init.redirect !== "manual") {
    throw new TypeError(`fetch failed: redirect (${res.statusCode}) from ${href}`);
  }
  return responseOf(href, res.statusCode, res.headers, bytes);
};

function responseOf(
  url: string,
  status: number,
  raw: Record<string, string | string[] | undefined>,
  bytes: Buffer,
): FetchResponse {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined)
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(", ") : value);
  }
  const h: FetchHeaders = {
    get: (name: string) => headers.get(name.toLowerCase()) ?? null,
    entries: () => headers.entries(),
  };
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: STATUS_CODES[status] ?? "",
    url,
    headers: h,
    arrayBuffer: async () =>
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    text: async () => bytes.toString("utf8"),
    json: async () => JSON.parse(bytes.toString("utf8")) as unknown,
  };
}
