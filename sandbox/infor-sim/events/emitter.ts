import { createHmac } from "node:crypto";
import type { Fields } from "../control/fields.ts";
import { ledgerRows } from "../data/derive.ts";
import type { GlLineRec, InvoiceRec, PoRec, SupplierRec, TenantData } from "../data/model.ts";
import { createRng, type Rng } from "../data/rng.ts";

/**
 * M3's Event Subscriber web service as the sim plays it: when a control upsert changes data,
 * one database event per table row touched is POSTed as JSON to the configured URL, fire and
 * forget (M3 waits for no reply and does not retry; docs/push.md). The event carries the names
 * Infor documents for M3 events (publisher, documentName, operation, elementValues,
 * elementOldValues, program, user); only key fields are filled in, which is all the receiver
 * needs. `dropEventShare` drops that share of events (seeded), as a lost event would be.
 */
export interface SimEventConfig {
  /** Where to POST; empty = events off. */
  url: string;
  /** 0..1: share of events never sent. */
  dropEventShare?: number;
  seed?: number;
  bearerToken?: string;
  /** Signs the body as `X-Push-Signature: sha256=<hex>`. */
  hmacSecret?: string;
}

export interface SimEvent {
  publisher: "M3";
  documentName: string;
  operation: "C" | "U" | "D";
  elementValues: Record<string, string>;
  elementOldValues: Record<string, string>;
  program: string;
  user: string;
  timestamp: string;
}

export interface EventCounters {
  emitted: number;
  dropped: number;
  failed: number;
  /** Documents and keys of dropped events, so a test can check the poll caught each one. */
  droppedKeys: string[];
}

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));

function event(
  documentName: string,
  created: boolean,
  values: Record<string, unknown>,
  program: string,
  now: number,
): SimEvent {
  const elementValues: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) elementValues[k] = str(v);
  return {
    publisher: "M3",
    documentName,
    operation: created ? "C" : "U",
    elementValues,
    elementOldValues: created ? {} : { ...elementValues },
    program,
    user: "SIMUSER",
    timestamp: new Date(now).toISOString(),
  };
}

/** The database events M3 would raise for one control upsert (pure). */
export function eventsForUpsert(
  kind: string,
  fields: Fields,
  result: unknown,
  data: TenantData,
  now: number,
): SimEvent[] {
  const has = (k: string) => fields[k] !== undefined && fields[k] !== null && fields[k] !== "";
  switch (kind) {
    case "supplier": {
      const s = result as SupplierRec;
      return [event("CIDMAS", false, { CONO: s.cono, SUNO: s.suno }, "CRS620", now)];
    }
    case "po": {
      const p = result as PoRec;
      return [
        event("MPHEAD", !has("PUNO"), { CONO: p.cono, DIVI: p.divi, PUNO: p.puno }, "PPS200", now),
      ];
    }
    case "poLine":
    case "receipt": {
      const puno = str(fields.PUNO);
      const po = data.pos.find((p) => p.puno === puno);
      const table = kind === "poLine" ? "MPLINE" : "MPLIND";
      const program = kind === "poLine" ? "PPS200" : "PPS300";
      return [
        event(
          table,
          kind === "receipt",
          { CONO: po?.cono ?? "", PUNO: puno, PNLI: fields.PNLI },
          program,
          now,
        ),
      ];
    }
    case "invoice":
    case "invoiceLine": {
      const h = result as InvoiceRec;
      const keys = { CONO: h.cono, DIVI: h.divi, INBN: h.inbn, SUNO: h.suno, SINO: h.sino };
      const out = [
        event(kind === "invoice" ? "FAPIBH" : "FAPIBL", !has("INBN"), keys, "APS450", now),
      ];
      // Posting books the invoice in the AP ledger (FPLEDG TRCD 40).
      if (kind === "invoice" && h.supa === "90") {
        for (const r of ledgerRows(h).filter((x) => x.trcd === "40")) {
          out.push(event("FPLEDG", true, ledgerKeys(r), "APS450", now));
        }
      }
      return out;
    }
    case "payment": {
      const h = result as InvoiceRec;
      return ledgerRows(h)
        .filter((r) => r.trcd === "50")
        .map((r) => event("FPLEDG", true, ledgerKeys(r), "APS130", now));
    }
    case "voucher": {
      const lines = result as GlLineRec[];
      return lines.map((l) =>
        event(
          "FGLEDG",
          true,
          {
            CONO: l.cono,
            DIVI: l.divi,
            YEA4: l.yea4,
            JRNO: l.jrno,
            JSNO: l.jsno,
            VSER: l.vser,
            VONO: l.vono,
          },
          "GLS120",
          now,
        ),
      );
    }
    case "account":
      // A table nobody subscribed for in our mapping: the receiver must ignore it.
      return [
        event("FCHACC", false, { CONO: str((result as { cono?: unknown }).cono) }, "CRS630", now),
      ];
  }
  return [];
}

function ledgerKeys(r: ReturnType<typeof ledgerRows>[number]): Record<string, unknown> {
  return {
    CONO: r.cono,
    DIVI: r.divi,
    YEA4: r.yea4,
    JRNO: r.jrno,
    JSNO: r.jsno,
    TRCD: r.trcd,
    SUNO: r.suno,
    SINO: r.sino,
  };
}

export class EventEmitter {
  private config: SimEventConfig = { url: "" };
  private rng: Rng = createRng(1);
  counters: EventCounters = { emitted: 0, dropped: 0, failed: 0, droppedKeys: [] };

  configure(config: SimEventConfig): SimEventConfig {
    const share = config.dropEventShare ?? 0;
    if (!(share >= 0 && share <= 1)) throw new Error("dropEventShare must be between 0 and 1");
    this.config = { ...config, dropEventShare: share };
    this.rng = createRng(config.seed ?? 1);
    this.counters = { emitted: 0, dropped: 0, failed: 0, droppedKeys: [] };
    return {
      ...this.config,
      ...(config.bearerToken ? { bearerToken: "***" } : {}),
      ...(config.hmacSecret ? { hmacSecret: "***" } : {}),
    };
  }

  /** Fire and forget: the caller (an upsert) never waits and never sees a failure. */
  emit(events: readonly SimEvent[]): void {
    if (!this.config.url) return;
    for (const e of events) {
      if (this.rng.next() < (this.config.dropEventShare ?? 0)) {
        this.counters.dropped++;
        this.counters.droppedKeys.push(`${e.documentName}:${JSON.stringify(e.elementValues)}`);
        continue;
      }
      this.counters.emitted++;
      void this.post(e).catch(() => {
        this.counters.failed++;
      });
    }
  }

  private async post(e: SimEvent): Promise<void> {
    const body = JSON.stringify(e);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.config.bearerToken) headers.authorization = `Bearer ${this.config.bearerToken}`;
    if (this.config.hmacSecret) {
      headers["x-push-signature"] =
        `sha256=${createHmac("sha256", this.config.hmacSecret).update(body).digest("hex")}`;
    }
    const res = await fetch(this.config.url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`receiver answered ${res.status}`);
  }
}
