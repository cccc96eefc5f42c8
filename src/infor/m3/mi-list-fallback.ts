import type { MiClient, MiRecord } from "./mi-client.ts";
import type { TableName } from "./tables.ts";

/**
 * MI list transactions that stand in for an M3 table when EXPORTMI/Select on it is refused to
 * the service account. Only child tables have one: their rows are read for known parents (a
 * page of suppliers, POs or invoice batches), which is what these transactions take as input.
 * Field codes per the M3 API v2 swagger (m3-fields.md): the rows come back with the same codes
 * as the table's columns without prefix, so the mappers read them unchanged. What a transaction
 * does not return (a change date, accounting dimensions) is simply absent from the row.
 *
 * The head tables that drive a poll (CIDMAS, MPHEAD, FAPIBH, FPLEDG, FGLEDG, FCHACC) have no
 * stand-in: no MI list transaction selects them by change date (APS450MI/LstInvBatchNo needs a
 * payee, PPS200MI lists one PO's lines, GLS200MI/LstVouchersByDt filters on accounting date).
 */

export interface ParentKeys {
  /** Lowest and highest parent key of the page (inclusive). */
  from: string;
  to: string;
  /** The exact parent keys wanted, when the caller knows them. */
  keys?: string[] | undefined;
  division: string;
  /** Company (cono) of the session. */
  company: string;
}

export interface ListFallback {
  /** The transaction used, for logs and docs. */
  via: string;
  read(mi: MiClient, parents: ParentKeys): Promise<MiRecord[]>;
}

/** Per-parent calls run a few at a time: the shared request budget sets the real pace. */
const PARALLEL = 4;

async function perKey(
  keys: string[] | undefined,
  table: string,
  call: (key: string) => Promise<MiRecord[]>,
): Promise<MiRecord[]> {
  if (!keys) {
    throw new RangeError(`${table} fallback reads per parent key; the caller gave a range only`);
  }
  const out: MiRecord[][] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      out[i] = await call(keys[i] ?? "");
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, keys.length) }, worker));
  return out.flat();
}

export const LIST_FALLBACKS: Partial<Record<TableName, ListFallback>> = {
  // Supplier financial terms: CRS620MI/LstSuppliers returns CUCD, TEPY, PYME for a SUNO range.
  CIDVEN: {
    via: "CRS620MI/LstSuppliers",
    async read(mi, p) {
      const { records } = await mi.execute(
        "CRS620MI",
        "LstSuppliers",
        { FRSU: p.from, TOSU: p.to },
        { maxrecs: 0, company: p.company, returncols: ["SUNO", "CUCD", "TEPY", "PYME"] },
      );
      return records;
    },
  },
  MPLINE: {
    via: "PPS200MI/LstLine",
    read: (mi, p) =>
      perKey(p.keys, "MPLINE", async (puno) => {
        const { records } = await mi.execute(
          "PPS200MI",
          "LstLine",
          { PUNO: puno },
          { maxrecs: 0, company: p.company },
        );
        return records;
      }),
  },
  MPLIND: {
    via: "PPS200MI/LstReceiptsByPO",
    read: (mi, p) =>
      perKey(p.keys, "MPLIND", async (puno) => {
        const { records } = await mi.execute(
          "PPS200MI",
          "LstReceiptsByPO",
          { PUNO: puno },
          { maxrecs: 0, company: p.company },
        );
        return records;
      }),
  },
  // Invoice batch lines; LstLines returns no accounting dimensions (AIT1-AIT7).
  FAPIBL: {
    via: "APS450MI/LstLines",
    read: (mi, p) =>
      perKey(p.keys, "FAPIBL", async (inbn) => {
        const { records } = await mi.execute(
          "APS450MI",
          "LstLines",
          { INBN: inbn, ...(p.division ? { DIVI: p.division } : {}) },
          { maxrecs: 0, company: p.company },
        );
        // The batch number is the input, not an output field: put it back for grouping.
        return records.map((r) => ({
          ...r,
          INBN: inbn,
          ...(p.division ? { DIVI: p.division } : {}),
        }));
      }),
  },
};
