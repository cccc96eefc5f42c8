import { HttpStatusError, IdoBusinessError, MalformedResponseError } from "../errors.ts";
import type { InforHttpClient, InforResponse } from "../http/client.ts";
import { parseJsonBody } from "../m3/mi-parse.ts";

/**
 * SyteLine / CSI Mongoose IDO REST v2 LoadCollection through ION:
 * GET {base}/CSI/IDORequestService/ido/load/{IDO}?properties&filter&orderby&recordcap
 *     [&loadtype=NEXT&bookmark=<B>…</B>], header X-Infor-MongooseConfig (syteline-ido.md).
 * Reply `{ Items, Bookmark, MoreRowsExist, Success, Message }`; items are flat objects (v2) or
 * `[{Name, Value}]` arrays (older MGREST / v1), and v1 positional arrays follow `properties`.
 * Values come back as strings (or null); this layer turns null into "".
 */

export type IdoItem = Record<string, string>;

export interface IdoPage {
  items: IdoItem[];
  bookmark: string | undefined;
  moreRowsExist: boolean;
  requestId: string;
}

export interface IdoLoadOptions {
  properties: string[];
  filter?: string;
  orderby?: string;
  /** Rows per page (recordcap); default 200, the IDO default for -1. */
  pageSize?: number;
  maxPages?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function text(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

/** Normalize one item of any of the three documented shapes. Pure. */
export function normalizeItem(item: unknown, properties: string[]): IdoItem | undefined {
  if (isObject(item)) {
    const out: IdoItem = {};
    for (const [k, v] of Object.entries(item)) out[k] = text(v);
    return out;
  }
  if (Array.isArray(item)) {
    const out: IdoItem = {};
    if (item.every((p) => isObject(p) && typeof p.Name === "string")) {
      for (const p of item as { Name: string; Value?: unknown }[]) out[p.Name] = text(p.Value);
      return out;
    }
    if (item.length === properties.length && item.every((v) => !isObject(v))) {
      properties.forEach((p, i) => {
        out[p] = text(item[i]);
      });
      return out;
    }
  }
  return undefined;
}

/**
 * Booleans and codes arrive as JSON booleans/numbers from Mongoose v2, and as strings ("true",
 * "false", "250") from other gateways and older MGREST layers: both are read, anything else in
 * a flag is not a documented value.
 */
function flag(res: InforResponse, v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (typeof v === "string" && /^\s*(true|false)\s*$/i.test(v)) {
    return v.trim().toLowerCase() === "true";
  }
  throw new MalformedResponseError(
    "unexpected_shape",
    `IDO ${name} is neither a boolean nor "true"/"false"`,
    res.status,
    res.requestId,
  );
}

function messageCode(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

export function parseIdoLoad(res: InforResponse, ido: string, properties: string[]): IdoPage {
  // 400 carries {Success:false, Message} (a missing config header); 401+ are not IDO replies.
  if (res.status !== 200 && res.status !== 400) {
    throw new HttpStatusError(res.status, res.url, res.requestId);
  }
  const body = parseJsonBody(res);
  if (!isObject(body)) {
    throw new MalformedResponseError(
      "unexpected_shape",
      "IDO reply is not an object",
      res.status,
      res.requestId,
    );
  }
  const code = messageCode(body.MessageCode);
  // Any sign of failure fails the page (cautious: a short page would pass for the whole list).
  const failed =
    flag(res, body.Success, "Success") === false ||
    (code !== undefined && code !== 0) ||
    res.status >= 400;
  if (failed) {
    const detail = code !== undefined && code !== 0 ? ` (MessageCode ${code})` : "";
    throw new IdoBusinessError(ido, `${text(body.Message)}${detail}`, res.requestId);
  }
  if (!Array.isArray(body.Items)) {
    throw new MalformedResponseError(
      "unexpected_shape",
      "IDO reply without Items",
      res.status,
      res.requestId,
    );
  }
  const items: IdoItem[] = [];
  for (const raw of body.Items) {
    const item = normalizeItem(raw, properties);
    if (!item) {
      throw new MalformedResponseError(
        "unexpected_shape",
        "IDO item of unknown shape",
        res.status,
        res.requestId,
      );
    }
    items.push(item);
  }
  return {
    items,
    bookmark: typeof body.Bookmark === "string" && body.Bookmark ? body.Bookmark : undefined,
    moreRowsExist: flag(res, body.MoreRowsExist, "MoreRowsExist") === true,
    requestId: res.requestId,
  };
}

export class IdoClient {
  private readonly http: InforHttpClient;
  private readonly config: string;

  constructor(http: InforHttpClient, mongooseConfig: string) {
    this.http = http;
    this.config = mongooseConfig;
  }

  loadPage(ido: string, o: IdoLoadOptions, bookmark?: string): Promise<IdoPage> {
    return this.http.sendParsed(
      {
        path: `/CSI/IDORequestService/ido/load/${encodeURIComponent(ido)}`,
        query: {
          properties: o.properties.join(","),
          filter: o.filter,
          orderby: o.orderby,
          recordcap: o.pageSize ?? 200,
          ...(bookmark ? { loadtype: "NEXT", bookmark } : {}),
        },
        headers: { "x-infor-mongooseconfig": this.config },
      },
      (res) => parseIdoLoad(res, ido, o.properties),
    );
  }

  /** Every page, following the bookmark while MoreRowsExist (loadtype=NEXT). */
  async *load(ido: string, o: IdoLoadOptions): AsyncGenerator<IdoItem[]> {
    const maxPages = o.maxPages ?? 100_000;
    let bookmark: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await this.loadPage(ido, o, bookmark);
      if (res.items.length > 0) yield res.items;
      if (!res.moreRowsExist) return;
      if (!res.bookmark || res.bookmark === bookmark) {
        throw new MalformedResponseError(
          "unexpected_shape",
          "MoreRowsExist without a new Bookmark",
          200,
          res.requestId,
        );
      }
      bookmark = res.bookmark;
    }
  }
}
