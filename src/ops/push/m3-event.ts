import type { RecordTarget } from "../../infor/source.ts";

/**
 * M3 database events as M3's Event Subscriber web service (CMS045 subscription + CMS049 web
 * service) or an ION connection point forwards them, read into "read THIS record" targets.
 *
 * Infor documents what an M3 database event holds (the complete record before and after the
 * change, the operation, the program, the initial program and the user; docs/push.md) and, for
 * Event Analytics, the fact's names: `publisher`, `documentName`, `operation`, `elementValues`,
 * `elementOldValues`. The exact JSON CMS049 posts is not published, so the reader takes those
 * names and a few spellings of them (documented in docs/push.md), case-insensitively, and only
 * uses what identifies the record: the event is a hint, the record is read from M3.
 */

export type Operation = "create" | "update" | "delete";

export interface M3Event {
  publisher: string;
  table: string;
  operation: Operation;
  /** After values (on delete M3 may send none: then the before values are the record). */
  values: Record<string, string>;
  oldValues: Record<string, string>;
  program?: string;
  user?: string;
  timestamp?: string;
}

export interface PushTarget {
  company: string;
  /** "" when the table is company-wide (MPHEAD, CIDMAS): every division polled for it. */
  division: string;
  target: RecordTarget;
  table: string;
}

export type EventReading =
  | { ok: true; event: M3Event }
  | { ok: false; index: number; reason: string };

export const MAX_EVENTS_PER_REQUEST = 500;

const OPERATIONS: Record<string, Operation> = {
  c: "create",
  create: "create",
  u: "update",
  update: "update",
  d: "delete",
  delete: "delete",
};

function pick(o: Record<string, unknown>, names: readonly string[]): unknown {
  const lower = new Map(Object.keys(o).map((k) => [k.toLowerCase(), k]));
  for (const n of names) {
    const k = lower.get(n.toLowerCase());
    if (k !== undefined && o[k] !== undefined && o[k] !== null) return o[k];
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `{ "CONO": 100 }` or `[{ "name": "CONO", "value": "100" }]` → `{ CONO: "100" }`, field names
 * upper-cased (M3 field names are upper case; a relay may lower them).
 */
function fieldMap(v: unknown): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const put = (k: unknown, val: unknown) => {
    if (typeof k !== "string") return;
    if (typeof val === "string") out[k.toUpperCase()] = val.trim();
    else if (typeof val === "number" || typeof val === "bigint") out[k.toUpperCase()] = String(val);
  };
  if (Array.isArray(v)) {
    for (const e of v) {
      if (isObject(e)) put(pick(e, ["name", "field", "key"]), pick(e, ["value", "val"]));
    }
    return out;
  }
  if (isObject(v)) {
    for (const [k, val] of Object.entries(v)) put(k, val);
    return out;
  }
  return undefined;
}

/** The events of a parsed JSON body: one event, an array, or `{ events: [...] }`. */
export function eventsOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (isObject(body)) {
    const list = pick(body, ["events", "Events"]);
    if (Array.isArray(list)) return list;
    return [body];
  }
  return undefined;
}

export function readM3Event(raw: unknown, index: number): EventReading {
  if (!isObject(raw)) return { ok: false, index, reason: "an event must be a JSON object" };
  const table = pick(raw, ["documentName", "document", "table", "tableName", "eventName"]);
  if (typeof table !== "string" || !/^[A-Za-z0-9]{3,10}$/.test(table.trim())) {
    return { ok: false, index, reason: "documentName (the M3 table) missing or not a table name" };
  }
  const opRaw = pick(raw, ["operation", "op", "eventOperation"]);
  const operation = typeof opRaw === "string" ? OPERATIONS[opRaw.trim().toLowerCase()] : undefined;
  if (!operation) {
    return { ok: false, index, reason: "operation must be C/U/D or CREATE/UPDATE/DELETE" };
  }
  const values = fieldMap(pick(raw, ["elementValues", "values", "after", "newValues", "fields"]));
  const oldValues = fieldMap(pick(raw, ["elementOldValues", "oldValues", "before"])) ?? {};
  if (!values && Object.keys(oldValues).length === 0) {
    return { ok: false, index, reason: "elementValues (the record's fields) missing" };
  }
  const publisher = pick(raw, ["publisher"]);
  const str = (names: string[]) => {
    const v = pick(raw, names);
    return typeof v === "string" && v.trim() ? v.trim() : undefined;
  };
  const event: M3Event = {
    publisher: typeof publisher === "string" ? publisher.trim() : "M3",
    table: table.trim().toUpperCase(),
    operation,
    values: values ?? {},
    oldValues,
  };
  const program = str(["program", "programName", "initiatingProgram"]);
  const user = str(["user", "userId", "userName"]);
  const timestamp = str(["timestamp", "time", "eventTime"]);
  if (program) event.program = program;
  if (user) event.user = user;
  if (timestamp) event.timestamp = timestamp;
  return { ok: true, event };
}

/** Tables whose rows belong to a record we poll. Head tables' deletes remove the record itself. */
export const M3_EVENT_TABLES = [
  "FAPIBH",
  "FAPIBL",
  "MPHEAD",
  "MPLINE",
  "MPLIND",
  "CIDMAS",
  "CIDVEN",
  "FGLEDG",
  "FPLEDG",
] as const;

const HEAD_TABLES = new Set(["FAPIBH", "MPHEAD", "CIDMAS"]);

export type MapOutcome =
  | { kind: "targets"; targets: PushTarget[] }
  | { kind: "ignored"; reason: "unknown_table" | "other_publisher" | "head_deleted" }
  | { kind: "invalid"; reason: string };

/**
 * An event → the records to read again. Keys come from the after values, else the before values
 * (a delete of a line changes its head; M3 may send a delete with old values only). A delete of
 * a head is ignored: the poll does not alert on vanished records either.
 */
export function targetsOfM3Event(e: M3Event): MapOutcome {
  if (e.publisher.toUpperCase() !== "M3") return { kind: "ignored", reason: "other_publisher" };
  if (!(M3_EVENT_TABLES as readonly string[]).includes(e.table)) {
    return { kind: "ignored", reason: "unknown_table" };
  }
  if (e.operation === "delete" && HEAD_TABLES.has(e.table)) {
    return { kind: "ignored", reason: "head_deleted" };
  }
  const get = (f: string): string | undefined => {
    const v = e.values[f] || e.oldValues[f];
    return v?.trim() ? v.trim() : undefined;
  };
  const cono = get("CONO");
  if (!cono) return { kind: "invalid", reason: `${e.table}: CONO missing` };
  const divi = get("DIVI") ?? "";
  const need = (...fields: string[]): string | undefined => {
    const missing = fields.filter((f) => !get(f));
    return missing.length > 0 ? `${e.table}: ${missing.join(", ")} missing` : undefined;
  };
  const one = (target: RecordTarget, division = divi): MapOutcome => ({
    kind: "targets",
    targets: [{ company: cono, division, target, table: e.table }],
  });
  switch (e.table) {
    case "FAPIBH":
    case "FAPIBL": {
      const bad = need("INBN");
      if (bad) return { kind: "invalid", reason: bad };
      return one({ entity: "supplier_invoice", batchNumber: get("INBN") as string });
    }
    case "MPHEAD":
    case "MPLINE":
    case "MPLIND": {
      const bad = need("PUNO");
      if (bad) return { kind: "invalid", reason: bad };
      // MPLINE/MPLIND carry no division; the PO head decides which division reads it.
      return one(
        { entity: "purchase_order", number: get("PUNO") as string },
        e.table === "MPHEAD" ? divi : "",
      );
    }
    case "CIDMAS":
    case "CIDVEN": {
      const bad = need("SUNO");
      if (bad) return { kind: "invalid", reason: bad };
      // The supplier is a company-level record (CIDMAS has no division).
      return one({ entity: "supplier", id: get("SUNO") as string }, "");
    }
    case "FGLEDG": {
      const bad = need("YEA4", "VONO");
      if (bad) return { kind: "invalid", reason: bad };
      const year = Number(get("YEA4"));
      if (!Number.isSafeInteger(year))
        return { kind: "invalid", reason: "FGLEDG: YEA4 not a year" };
      return one({
        entity: "gl_voucher",
        year,
        series: get("VSER") ?? "",
        voucher: get("VONO") as string,
      });
    }
    case "FPLEDG": {
      const bad = need("SUNO", "SINO", "TRCD");
      if (bad) return { kind: "invalid", reason: bad };
      const trcd = Number(get("TRCD"));
      const targets: PushTarget[] = [
        {
          company: cono,
          division: divi,
          table: e.table,
          target: {
            entity: "supplier_invoice",
            supplierId: get("SUNO") as string,
            invoiceNumber: get("SINO") as string,
          },
        },
      ];
      // TRCD 50 is a payment (its own record) that also makes the invoice paid.
      const [y, j, s] = [get("YEA4"), get("JRNO"), get("JSNO")];
      if (trcd === 50 && y && j && s) {
        targets.push({
          company: cono,
          division: divi,
          table: e.table,
          target: { entity: "payment", reference: `${y}-${j}-${s}` },
        });
      }
      return { kind: "targets", targets };
    }
  }
  return { kind: "ignored", reason: "unknown_table" };
}
