import type { TenantData } from "../data/model.ts";
import { type Bookmark, formatBookmark, parseBookmark } from "./bookmark.ts";
import { compareProp, IdoFilterError, matches, parseFilter } from "./filter.ts";
import { findIdo, type IdoDef, type IdoRow } from "./idos.ts";

export type IdoItemFormat = "flat" | "namevalue";

export interface IdoReply {
  status: number;
  body: unknown;
}

/** Mongoose recordcap: -1 (default) = 200 rows, 0 = all rows. */
const DEFAULT_CAP = 200;

const failure = (message: string): IdoReply => ({
  status: 200,
  body: { Items: null, Bookmark: null, MoreRowsExist: false, Success: false, Message: message },
});

interface RowCache {
  version: number;
  rows: IdoRow[];
}
const cache = new WeakMap<TenantData, Map<string, RowCache>>();

function rowsOf(data: TenantData, ido: IdoDef): IdoRow[] {
  let perData = cache.get(data);
  if (!perData) {
    perData = new Map();
    cache.set(data, perData);
  }
  const hit = perData.get(ido.name);
  if (hit && hit.version === data.version) return hit.rows;
  const rows = ido.rows(data);
  // Kept in key order so a load without orderby needs no sort.
  const numeric = (prop: string) => ido.props[prop] === "i" || ido.props[prop] === "n";
  rows.sort((a, b) => {
    for (const key of ido.key) {
      const cmp = compareProp(a[key] ?? "", b[key] ?? "", numeric(key));
      if (cmp !== 0) return cmp;
    }
    return 0;
  });
  perData.set(ido.name, { version: data.version, rows });
  return rows;
}

function itemId(ido: IdoDef, row: IdoRow): string {
  const key = ido.key.map((k) => row[k] ?? "").join("|");
  const hex = Buffer.from(key).toString("hex").padEnd(32, "0").slice(0, 32);
  const guid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  const date = (row.RecordDate ?? "").replace(/^(\d{4})(\d{2})(\d{2})/, "$1-$2-$3");
  return `PBT=[${ido.table}] ${ido.table}.DT=[${date}] ${ido.table}.ID=[${guid}]`;
}

export function handleIdo(
  idoName: string,
  query: URLSearchParams,
  configHeader: string | undefined,
  data: TenantData,
  format: IdoItemFormat,
): IdoReply {
  // Required when the call goes through ION API (Mongoose IDO guide).
  if (!configHeader)
    return {
      status: 400,
      body: { Success: false, Message: "X-Infor-MongooseConfig header is required" },
    };
  const ido = findIdo(idoName);
  if (!ido) return failure(`IDO ${idoName} not found`);
  const propsParam = (query.get("properties") ?? "").trim();
  const all = Object.keys(ido.props);
  const props =
    propsParam === "" || propsParam === "*" ? all : propsParam.split(",").map((p) => p.trim());
  const unknown = props.find((p) => !ido.props[p]);
  if (unknown) return failure(`Property ${unknown} not found in IDO ${ido.name}`);
  let conditions: ReturnType<typeof parseFilter>;
  try {
    conditions = parseFilter(query.get("filter") ?? "", ido.props);
  } catch (error) {
    if (error instanceof IdoFilterError) return failure(error.message);
    throw error;
  }
  const order: Array<{ prop: string; desc: boolean }> = [];
  for (const part of (query.get("orderby") ?? "").split(",")) {
    const [prop = "", dir = ""] = part.trim().split(/\s+/);
    if (prop === "") continue;
    if (!ido.props[prop]) return failure(`Property ${prop} not found in IDO ${ido.name}`);
    order.push({ prop, desc: dir.toUpperCase() === "DESC" });
  }
  for (const key of ido.key)
    if (!order.some((o) => o.prop === key)) order.push({ prop: key, desc: false });
  const numeric = (prop: string) => ido.props[prop] === "i" || ido.props[prop] === "n";
  const compareTuple = (a: string[], b: string[]): number => {
    for (let i = 0; i < order.length; i++) {
      const o = order[i];
      if (!o) continue;
      const cmp = compareProp(a[i] ?? "", b[i] ?? "", numeric(o.prop));
      if (cmp !== 0) return o.desc ? -cmp : cmp;
    }
    return 0;
  };
  const keyOf = (row: IdoRow): string[] => order.map((o) => row[o.prop] ?? "");
  const rows = rowsOf(data, ido).filter((row) => matches(row, conditions));
  const keyOrderOnly = order.every((o, i) => !o.desc && o.prop === ido.key[i]);
  if (!keyOrderOnly) {
    const keyed = rows.map((row) => ({ row, key: keyOf(row) }));
    keyed.sort((a, b) => compareTuple(a.key, b.key));
    rows.splice(0, rows.length, ...keyed.map((k) => k.row));
  }
  const capText = query.get("recordcap");
  const capValue = capText === null || capText === "" ? -1 : Number(capText);
  const cap = capValue < 0 ? DEFAULT_CAP : capValue === 0 ? Number.POSITIVE_INFINITY : capValue;
  const loadtype = (query.get("loadtype") ?? "FIRST").toUpperCase();
  const bookmarkText = query.get("bookmark");
  let bookmark: Bookmark | undefined;
  if (bookmarkText && (loadtype === "NEXT" || loadtype === "PREV")) {
    bookmark = parseBookmark(bookmarkText);
    if (!bookmark || bookmark.props.join(",") !== order.map((o) => o.prop).join(",")) {
      return failure("Invalid bookmark");
    }
  }
  let page: IdoRow[];
  let more: boolean;
  if (loadtype === "NEXT" && bookmark) {
    const last = bookmark.last;
    const after = rows.filter((row) => compareTuple(keyOf(row), last) > 0);
    page = after.slice(0, cap);
    more = after.length > page.length;
  } else if (loadtype === "PREV" && bookmark) {
    const first = bookmark.first;
    const before = rows.filter((row) => compareTuple(keyOf(row), first) < 0);
    page = before.slice(Math.max(0, before.length - cap));
    more = before.length > page.length;
  } else if (loadtype === "LAST") {
    page = rows.slice(Math.max(0, rows.length - cap));
    more = rows.length > page.length;
  } else {
    page = rows.slice(0, cap);
    more = rows.length > page.length;
  }
  const firstRow = page[0];
  const lastRow = page[page.length - 1];
  const mark: Bookmark = {
    props: order.map((o) => o.prop),
    descending: order.map((o) => o.desc),
    first: firstRow ? keyOf(firstRow) : [],
    last: lastRow ? keyOf(lastRow) : [],
  };
  const items = page.map((row) => {
    if (format === "namevalue") {
      return [
        ...props.map((p) => ({ Name: p, Value: row[p] ?? null })),
        { Name: "_ItemId", Value: itemId(ido, row) },
      ];
    }
    const item: Record<string, string | null> = {};
    for (const p of props) item[p] = row[p] ?? null;
    item._ItemId = itemId(ido, row);
    return item;
  });
  return {
    status: 200,
    body: {
      Items: items,
      Bookmark: page.length > 0 ? formatBookmark(mark) : null,
      MoreRowsExist: more,
      Success: true,
      Message: null,
    },
  };
}
