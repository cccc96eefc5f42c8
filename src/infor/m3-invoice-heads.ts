import type { Predicate } from "./m3/exportmi.ts";
import type { MiRecord } from "./m3/mi-client.ts";
import type { TableReader } from "./m3/table-reader.ts";
import { LineStream } from "./m3-invoice-lines.ts";

export interface HeadsPage {
  heads: MiRecord[];
  lines: Map<string, MiRecord[]>;
}

export type LinesOf = (heads: MiRecord[]) => Promise<Map<string, MiRecord[]>>;

const DAY_MS = 86_400_000;

/**
 * The earliest change date (LMDT, a date in the tenant's time zone) a change made after `t`
 * can carry: the UTC date of `t` less one day covers every zone from UTC-12 to UTC+14. Pure.
 */
export function changedSinceDate(t: number): number {
  return Number(new Date(t - DAY_MS).toISOString().slice(0, 10).replaceAll("-", ""));
}

/** A page of heads whose lines were read, waiting for the heads' second read. */
interface Open {
  heads: MiRecord[];
  lines: Map<string, MiRecord[]>;
  lo: number;
  hi: number;
  /** `changedSinceDate` of the earliest head read: a head changed since has at least it. */
  since: number;
  /** The heads' second read rode along with the listing's next page. */
  asked: boolean;
  /** Where the rest of a second read that filled a whole answer starts (batch number). */
  from?: number;
  again: Map<string, MiRecord>;
}

const batchKey = (h: MiRecord) => `${h.DIVI ?? ""}|${h.INBN ?? ""}`;

/**
 * A listing's pages of batch heads (FAPIBH), each with lines (FAPIBL) that belong to the same
 * state of its batches. EXPORTMI has no snapshot across tables: a batch changed between the head
 * read and the line read comes out torn (old total, new lines) and would be told as two changes,
 * the first one wrong (seen in the chaos run). So each page's heads are read once more after its
 * lines: a head that did not move has lines of its state; one that moved is taken from the second
 * read with its lines read again (at most twice, then the latest read stands).
 *
 * The second read costs no request of its own where the listing is within one division: it is
 * OR-ed to the listing's next page (`heads in the page's range changed since the page was read`,
 * by LMDT), whose rows come back in key order ahead of that page's own. A head not among them did
 * not change after its first read. The last page's (and any page whose query could not carry it)
 * is a read of its own, one for all pages still waiting at the end.
 */
export async function* headsWithLines(
  reader: TableReader,
  where: Predicate[],
  pageSize: number,
  linesOf: LinesOf,
  now: () => number = Date.now,
): AsyncGenerator<HeadsPage> {
  // Batch numbers are unique within a division only: elsewhere ranges of them interleave.
  const pinned = where.some((p) => p.col === "DIVI" && p.op === "=");
  let open: Open | undefined;
  const fresh: { row: MiRecord; at: number }[] = [];
  const also = () => {
    const o = open;
    if (!o || o.asked) return undefined;
    return {
      where: [
        ...where,
        { col: "LMDT", op: ">=" as const, value: o.since },
        { col: "INBN", op: ">=" as const, value: o.from ?? o.lo },
        { col: "INBN", op: "<=" as const, value: o.hi },
      ],
      taken: () => {
        o.asked = true;
      },
    };
  };
  // Lines as one stream over batch numbers where they are unique (m3-invoice-lines.ts).
  const stream =
    pinned && (await reader.listable("FAPIBL"))
      ? new LineStream(
          reader,
          where.filter((p) => p.col === "DIVI"),
        )
      : undefined;
  const cut = async (): Promise<Open> => {
    const taken = fresh.splice(0, pageSize);
    const heads = taken.map((f) => f.row);
    const inbns = heads.map((h) => Number(h.INBN));
    const listedTo = Math.max(...inbns, ...fresh.map((f) => Number(f.row.INBN)));
    return {
      heads,
      lines: stream ? await stream.linesOf(heads, listedTo) : await linesOf(heads),
      lo: Math.min(...inbns),
      hi: Math.max(...inbns),
      since: changedSinceDate(Math.min(...taken.map((f) => f.at))),
      asked: false,
      again: new Map(),
    };
  };
  const settle = (o: Open, again: Map<string, MiRecord>) =>
    settlePage(o, again, linesOf, (heads, since) => headsAgain(reader, heads, where, since));

  let at = now();
  for await (const answer of reader.select(
    "FAPIBH",
    where,
    pageSize,
    undefined,
    pinned ? also : undefined,
  )) {
    let beyond = false;
    for (const r of answer) {
      if (open?.asked && Number(r.INBN) <= open.hi) open.again.set(batchKey(r), r);
      else {
        beyond = true;
        fresh.push({ row: r, at });
      }
    }
    const last = answer[answer.length - 1];
    if (
      open?.asked &&
      !beyond &&
      last &&
      answer.length >= pageSize &&
      Number(last.INBN) < open.hi
    ) {
      // The second read filled the answer alone and may go on: the rest rides on the next one.
      open.asked = false;
      open.from = Number(last.INBN) + 1;
    } else if (open && (beyond || !open.asked)) {
      const o = open;
      open = undefined;
      yield await settle(o, o.asked ? o.again : await headsAgain(reader, o.heads, where, o.since));
    }
    if (!open && fresh.length >= pageSize) open = await cut();
    at = now();
  }
  // The listing ended: an open page whose second read rode along is complete; the others
  // (and the rest of the listing, its lines read first) share one second read.
  const waiting: Open[] = [];
  if (open && !open.asked) waiting.push(open);
  else if (open) yield await settle(open, open.again);
  while (fresh.length > 0) waiting.push(await cut());
  if (waiting.length === 0) return;
  const again = await headsAgain(
    reader,
    waiting.flatMap((o) => o.heads),
    where,
    Math.min(...waiting.map((o) => o.since)),
  );
  for (const o of waiting) yield await settle(o, again);
}

/**
 * The page with each head that moved since its first read taken from `again` and its lines read
 * again; once more if it moved again meanwhile, then the latest read stands. A batch whose lines
 * are dated after its head changed between the two reads, whatever the ERP's clock: the second
 * read by change date (`since`, from our clock) misses it when the ERP's date is days behind
 * ours, so its head, unless that read brought it, is read again by number alone (`readAgain`
 * without `since`). A line edited on its own later than its head costs that one read and is kept.
 */
async function settlePage(
  o: Open,
  first: Map<string, MiRecord>,
  linesOf: LinesOf,
  readAgain: (heads: MiRecord[], since?: number) => Promise<Map<string, MiRecord>>,
): Promise<HeadsPage> {
  let heads = o.heads;
  let again = first;
  // A head the second read brought is known as it stands now: only the others are asked.
  const suspects = heads.filter(
    (h) => !first.has(batchKey(h)) && linesAfterHead(h, o.lines.get(h.INBN ?? "")),
  );
  if (suspects.length > 0) again = new Map([...first, ...(await readAgain(suspects))]);
  for (let attempt = 0; attempt < 2; attempt++) {
    const moved = heads.filter((h) => {
      const now = again.get(batchKey(h));
      return now !== undefined && !sameRow(h, now);
    });
    if (moved.length === 0) break;
    const current = again;
    heads = heads.map((h) => current.get(batchKey(h)) ?? h);
    const movedNow = moved.map((h) => current.get(batchKey(h)) ?? h);
    const lines = await linesOf(movedNow);
    for (const h of moved) o.lines.set(h.INBN ?? "", lines.get(h.INBN ?? "") ?? []);
    if (attempt === 0) again = await readAgain(movedNow, o.since);
  }
  return { heads, lines: o.lines };
}

/**
 * The current heads of `heads`' batches changed since `since` (any change date without it), by
 * division and batch number.
 * Within the listing's own conditions: a head that moved since is changed, so it still meets
 * them, and batches between the lowest and highest number that did not change are not read.
 */
async function headsAgain(
  reader: TableReader,
  heads: MiRecord[],
  where: Predicate[],
  since?: number,
): Promise<Map<string, MiRecord>> {
  const inbns = heads.map((h) => Number(h.INBN)).filter(Number.isFinite);
  const out = new Map<string, MiRecord>();
  if (inbns.length === 0) return out;
  const rows = await reader.range(
    "FAPIBH",
    "INBN",
    String(Math.min(...inbns)),
    String(Math.max(...inbns)),
    true,
    since === undefined ? where : [...where, { col: "LMDT", op: ">=", value: since }],
    heads.map((h) => h.INBN ?? ""),
  );
  for (const list of rows.values()) for (const r of list) out.set(batchKey(r), r);
  return out;
}

/** Whether any of a batch's lines carries a later change date (LMDT) than its head. Pure. */
export function linesAfterHead(head: MiRecord, lines: MiRecord[] | undefined): boolean {
  const headDate = Number(head.LMDT);
  if (!lines || !Number.isInteger(headDate) || headDate <= 0) return false;
  return lines.some((l) => Number(l.LMDT) > headDate);
}

/** Same columns, same values (EXPORTMI answers every column as a string). */
function sameRow(a: MiRecord, b: MiRecord): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
