import {
  finish,
  first,
  int,
  type MapContext,
  type MapOutcome,
  type Row,
  s,
  safely,
} from "./fields.ts";
import { ROW_ERROR, scope } from "./m3-common.ts";
import { supplierStatusWord } from "./m3-status.ts";

/** CIDMAS / CRS620MI GetBasicData or LstSuppliers (+ CIDVEN fields when merged in). */
export function mapM3Supplier(ctx: MapContext, row: Row): MapOutcome {
  const key = s(row, "SUNO") ?? "?";
  return safely("supplier", key, row, () => {
    const st = supplierStatusWord(s(row, "STAT"));
    return finish(
      "supplier",
      key,
      {
        entity: "supplier",
        ...scope(ctx, row),
        id: s(row, "SUNO"),
        name: s(row, "SUNM") ?? "",
        status: st.status,
        blocked: st.blocked,
        currency: s(row, "CUCD"),
        country: s(row, "CSCD"),
        vatNumber: s(row, "VRNO"),
        paymentTerms: s(row, "TEPY"),
      },
      row,
      row[ROW_ERROR],
    );
  });
}

/** CRS630MI/LstAccountID or FCHACC: AITP 1 = GL account, 2 = cost center (M3 convention). */
export function mapM3Account(ctx: MapContext, row: Row): MapOutcome {
  const key = `${s(row, "AITP") ?? "?"}/${s(row, "AITM") ?? "?"}`;
  return safely("account", key, row, () =>
    finish(
      "account",
      key,
      {
        entity: "account",
        ...scope(ctx, row),
        dimension: int(s(row, "AITP")),
        id: s(row, "AITM"),
        name: first(row, "TX40", "TX15") ?? "",
        // LCCD "Blocked accounting identity" (1 = blocked).
        status: s(row, "LCCD") === "1" ? "blocked" : "active",
      },
      row,
      row[ROW_ERROR],
    ),
  );
}
