import { dec, sum, toFixed } from "../../shared/decimal.ts";
import {
  decimal,
  finish,
  first,
  int,
  isoDate,
  type MapContext,
  type MapOutcome,
  moneyOf,
  type Row,
  s,
  safely,
} from "./fields.ts";
import { latest, ROW_ERROR, scope } from "./m3-common.ts";
import { poStatusWord } from "./m3-status.ts";

/**
 * A PO from its head (MPHEAD / PPS200MI GetHead / PPS001MI GetHeadBasic), lines (MPLINE /
 * PPS200MI LstLine) and receipts (MPLIND / PPS200MI LstReceiptsByPO). changedAt is the latest
 * change date of any part, since a receipt changes the PO's state without touching its head.
 */
export function mapM3PurchaseOrder(
  ctx: MapContext,
  head: Row,
  lines: Row[],
  receipts: Row[],
): MapOutcome {
  const key = s(head, "PUNO") ?? "?";
  const raw = { head, lines, receipts };
  return safely("purchase_order", key, raw, () => {
    const currency = s(head, "CUCD") ?? ctx.localCurrency;
    const byLine = new Map<string, Row[]>();
    for (const r of receipts) {
      const k = `${int(s(r, "PNLI")) ?? 0}/${int(s(r, "PNLS")) ?? 0}`;
      const list = byLine.get(k) ?? [];
      list.push(r);
      byLine.set(k, list);
    }
    const mappedLines = lines.map((l) => {
      const k = `${int(s(l, "PNLI")) ?? 0}/${int(s(l, "PNLS")) ?? 0}`;
      return {
        line: int(s(l, "PNLI")),
        subLine: int(s(l, "PNLS")) ?? 0,
        item: s(l, "ITNO") ?? "",
        description: first(l, "PITD", "ITDS") ?? "",
        orderedQty: decimal(first(l, "ORQA", "ORQT")) ?? "0",
        receivedQty: decimal(first(l, "RVQA", "RVQT")) ?? "0",
        invoicedQty: decimal(s(l, "IVQA")) ?? "0",
        unit: first(l, "PUUN", "PPUN") ?? "",
        unitPrice: moneyOf(first(l, "PUPR", "CPPR"), currency),
        pricePer: decimal(s(l, "PUCD")) ?? "1",
        priceUnit: s(l, "PPUN"),
        receipts: (byLine.get(k) ?? []).map((r) => ({
          id: first(r, "REPN") ?? `${s(r, "PNLX") ?? ""}`,
          date: isoDate(first(r, "TRDT", "RGDT")),
          quantity: decimal(first(r, "RPQA", "RPQT")),
        })),
      };
    });
    let total = decimal(first(head, "NTAM", "COAM"));
    if (total === undefined && lines.length > 0) {
      try {
        total = toFixed(sum(lines.map((l) => dec(decimal(s(l, "LNAM")) ?? "0"))));
      } catch {
        total = undefined; // validation reports the missing total
      }
    }
    const pusl = s(head, "PUSL");
    const pust = s(head, "PUST");
    const sc = scope(ctx, head, "PUDT");
    sc.changedAt = latest([
      isoDate(first(head, "LMDT", "RGDT", "PUDT")),
      ...lines.map((l) => isoDate(s(l, "LMDT"))),
      ...receipts.map((r) => isoDate(s(r, "LMDT"))),
    ]);
    const rowError = [head, ...lines, ...receipts].map((r) => r[ROW_ERROR]).find(Boolean);
    return finish(
      "purchase_order",
      key,
      {
        entity: "purchase_order",
        ...sc,
        number: s(head, "PUNO"),
        supplierId: s(head, "SUNO"),
        status: poStatusWord(pusl),
        statusCode: pusl || pust ? `${pusl ?? ""}-${pust ?? ""}` : undefined,
        buyer: s(head, "BUYE") ?? "",
        orderDate: isoDate(s(head, "PUDT")),
        deliveryDate: isoDate(s(head, "DWDT")),
        currency,
        total: { amount: total, currency },
        lines: mappedLines,
      },
      raw,
      rowError,
    );
  });
}
