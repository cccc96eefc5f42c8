import {
  ControlError,
  type Fields,
  RECORD_KINDS,
  type RecordKind,
  type UpsertContext,
} from "./fields.ts";
import { account, invoice, invoiceLine, payment, voucher } from "./records-invoice.ts";
import { po, poLine, receipt, supplier } from "./records-po.ts";

export {
  ControlError,
  type Fields,
  RECORD_KINDS,
  type RecordKind,
  type UpsertContext,
} from "./fields.ts";
export { postInvoice } from "./records-invoice.ts";

const UPSERTS: Record<RecordKind, (ctx: UpsertContext, fields: Fields) => unknown> = {
  supplier,
  po,
  poLine,
  receipt,
  invoice,
  invoiceLine,
  payment,
  voucher,
  account,
};

/** Adds or changes one record; LMDT becomes the sim date, and cached views are invalidated. */
export function upsertRecord(ctx: UpsertContext, kind: string, fields: Fields): unknown {
  const upsert = UPSERTS[kind as RecordKind];
  if (!upsert)
    throw new ControlError(
      "unknown_kind",
      `record kind ${kind} is not one of ${RECORD_KINDS.join(", ")}`,
    );
  try {
    return upsert(ctx, fields);
  } finally {
    // Even a failed upsert may have changed something (a burnt number, a posted invoice).
    ctx.data.version++;
  }
}
