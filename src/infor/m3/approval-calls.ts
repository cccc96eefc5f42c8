import { isInforError, MiBusinessError } from "../errors.ts";
import { exportSelect } from "./exportmi.ts";
import type { MiClient, MiRecord } from "./mi-client.ts";

/**
 * M3's approval transactions (docs/erp-approvals.md). Writes go through `write: true`: one HTTP
 * request, no client retry, because an MI write is not idempotent and carries no request id.
 * CMS740MI / CMS742MI field names are assumptions (no public swagger): `flowFields` overrides them.
 */

/** An invoice in its entry batch (APS450MI key) and, once posted, in the AP ledger (APS110MI key). */
export interface M3InvoiceRef {
  company: string;
  division: string;
  inbn?: string;
  supplier: string;
  invoiceNumber: string;
  /** Invoice year of the ledger key (INYR). */
  year?: string;
}

export interface FlowFields {
  user: string;
  reason: string;
  line: string;
}
export const DEFAULT_FLOW_FIELDS: FlowFields = { user: "USID", reason: "TX60", line: "LINE" };

/** What M3 said no with, read from the message id where M3's public source names it. */
export type M3RefusalCode =
  | "not_found"
  | "wrong_route"
  | "not_ready"
  | "already_decided"
  | "changed"
  | "locked"
  | "not_authorised"
  | "refused";

export interface M3Refusal {
  code: M3RefusalCode;
  /** M3's message id and text, shown to the approver as M3 wrote it. */
  messageId: string;
  message: string;
}

const BY_MESSAGE_ID: Record<string, M3RefusalCode> = {
  WINBN03: "not_found",
  X_00050: "wrong_route",
  X_00051: "already_decided",
  X_00086: "already_decided",
  XUP0001: "changed",
  AP_0028: "locked",
  AP_0029: "locked",
};

/** A business refusal, or undefined when the error says nothing about M3's decision (ambiguous). */
export function m3Refusal(
  err: unknown,
  extra: Record<string, M3RefusalCode> = {},
): M3Refusal | undefined {
  if (!(err instanceof MiBusinessError)) return undefined;
  const id = err.errorCode.toUpperCase();
  const code = extra[id] ?? BY_MESSAGE_ID[id] ?? "refused";
  return { code, messageId: id, message: err.message };
}

/** True for failures after which M3 may or may not have applied a write (timeout, 5xx, reset). */
export function isAmbiguous(err: unknown): boolean {
  return isInforError(err) && !(err instanceof MiBusinessError) && err.code !== "auth_rejected";
}

export interface BatchState {
  ibtp: string;
  supa: string;
  /** Approval date (AAPD), rejection date (REJD), authorized user (APCD), change date. */
  aapd: string;
  rejd: string;
  apcd: string;
  lmdt: string;
  reason: string;
  supplier: string;
  invoiceNumber: string;
  /** Invoice year of the ledger key: the voucher year once posted, else the invoice date's. */
  year: string;
}

export interface FlowState {
  status: "pending" | "approved" | "rejected";
  user: string;
  decidedBy: string;
}

export class M3ApprovalCalls {
  private readonly mi: MiClient;
  private readonly flow: FlowFields;
  constructor(mi: MiClient, flow: FlowFields = DEFAULT_FLOW_FIELDS) {
    this.mi = mi;
    this.flow = flow;
  }

  private ctx(ref: M3InvoiceRef, write = false) {
    return { company: ref.company, division: ref.division, maxrecs: 0, write };
  }

  private ledgerKey(ref: M3InvoiceRef): Record<string, string> {
    return {
      DIVI: ref.division,
      SUNO: ref.supplier,
      SINO: ref.invoiceNumber,
      INYR: ref.year ?? "",
    };
  }

  async batch(ref: M3InvoiceRef): Promise<BatchState> {
    const res = await this.mi.execute(
      "APS450MI",
      "GetHead",
      { DIVI: ref.division, INBN: ref.inbn ?? "" },
      this.ctx(ref),
    );
    const r: MiRecord = res.records[0] ?? {};
    const f = (k: string) => (r[k] ?? "").trim();
    return {
      ibtp: f("IBTP"),
      supa: f("SUPA"),
      aapd: f("AAPD"),
      rejd: f("REJD"),
      apcd: f("APCD"),
      lmdt: f("LMDT"),
      reason: [f("SDA1"), f("SDA2"), f("SDA3")].join(" ").trim(),
      supplier: f("SUNO"),
      invoiceNumber: f("SINO"),
      year: f("YEA4") !== "" && f("YEA4") !== "0" ? f("YEA4") : f("IVDT").slice(0, 4),
    };
  }

  /**
   * Batches of a division changed on or after `since` (YYYYMMDD; M3 change dates are date-only)
   * with their status and last changing user (CHID: who decided, for "decided in M3 by …"): one
   * EXPORTMI read instead of one GetHead per open approval.
   */
  async changedBatches(
    scope: { company: string; division: string },
    since: string,
  ): Promise<Map<string, { supa: string; changedBy: string }>> {
    const out = new Map<string, { supa: string; changedBy: string }>();
    const pages = exportSelect(
      this.mi,
      {
        table: "FAPIBH",
        columns: ["E5INBN", "E5SUPA", "E5CHID"],
        where: [
          { col: "E5CONO", op: "=", value: Number(scope.company) },
          { col: "E5DIVI", op: "=", value: scope.division },
          { col: "E5LMDT", op: ">=", value: Number(since) },
        ],
        keys: [{ col: "E5INBN", numeric: true }],
      },
      { company: scope.company },
    );
    for await (const page of pages) {
      for (const r of page) {
        out.set((r.INBN ?? "").trim(), {
          supa: (r.SUPA ?? "").trim(),
          changedBy: (r.CHID ?? "").trim(),
        });
      }
    }
    return out;
  }

  async approveBatch(ref: M3InvoiceRef): Promise<void> {
    await this.mi.execute(
      "APS450MI",
      "ApproveInvoice",
      { DIVI: ref.division, INBN: ref.inbn ?? "" },
      this.ctx(ref, true),
    );
  }

  /** M3 keeps the reason as three 60-character text lines; SCRE is a code from the tenant's table. */
  async rejectBatch(ref: M3InvoiceRef, reason: string, reasonCode: string): Promise<void> {
    const text = reason.replace(/\s+/g, " ").trim();
    await this.mi.execute(
      "APS450MI",
      "RejectInvoice",
      {
        DIVI: ref.division,
        INBN: ref.inbn ?? "",
        ...(reasonCode ? { SCRE: reasonCode } : {}),
        SDA1: text.slice(0, 60),
        SDA2: text.slice(60, 120) || undefined,
        SDA3: text.slice(120, 180) || undefined,
      },
      this.ctx(ref, true),
    );
  }

  async approveForPayment(ref: M3InvoiceRef): Promise<void> {
    await this.mi.execute("APS110MI", "ApproveInvoice", this.ledgerKey(ref), this.ctx(ref, true));
  }

  /** The approver's pending list in M3's approval flow. */
  async pendingFor(erpUser: string, ref: Pick<M3InvoiceRef, "company" | "division">) {
    const res = await this.mi.execute(
      "CMS740MI",
      "LstPerUser",
      { [this.flow.user]: erpUser, DIVI: ref.division },
      { company: ref.company, division: ref.division, maxrecs: 0 },
    );
    return res.records.map((r) => ({
      supplier: (r.SUNO ?? "").trim(),
      invoiceNumber: (r.SINO ?? "").trim(),
      year: (r.INYR ?? "").trim(),
      inbn: (r.INBN ?? "").trim(),
    }));
  }

  async flowState(ref: M3InvoiceRef): Promise<FlowState> {
    const res = await this.mi.execute("CMS740MI", "Get", this.ledgerKey(ref), this.ctx(ref));
    const r = res.records[0] ?? {};
    const stat = (r.STAT ?? "").trim();
    return {
      status: stat === "20" ? "approved" : stat === "30" ? "rejected" : "pending",
      user: (r[this.flow.user] ?? "").trim(),
      decidedBy: (r.APBY ?? "").trim(),
    };
  }

  async flowApprove(ref: M3InvoiceRef, erpUser: string): Promise<void> {
    await this.mi.execute(
      "CMS740MI",
      "ApproveInvoice",
      { ...this.ledgerKey(ref), [this.flow.user]: erpUser },
      this.ctx(ref, true),
    );
  }

  async flowReject(ref: M3InvoiceRef, erpUser: string, reason: string): Promise<void> {
    await this.mi.execute(
      "CMS740MI",
      "Reject",
      {
        ...this.ledgerKey(ref),
        [this.flow.user]: erpUser,
        [this.flow.reason]: reason.replace(/\s+/g, " ").trim().slice(0, 60),
      },
      this.ctx(ref, true),
    );
  }

  async flowLines(ref: M3InvoiceRef): Promise<{ line: number; approved: boolean }[]> {
    const res = await this.mi.execute("CMS742MI", "Lst", this.ledgerKey(ref), this.ctx(ref));
    return res.records.map((r) => ({
      line: Number((r[this.flow.line] ?? "0").trim()),
      approved: (r.STAT ?? "").trim() === "20",
    }));
  }

  async flowApproveLine(ref: M3InvoiceRef, erpUser: string, line: number): Promise<void> {
    await this.mi.execute(
      "CMS742MI",
      "ApproveLine",
      { ...this.ledgerKey(ref), [this.flow.user]: erpUser, [this.flow.line]: String(line) },
      this.ctx(ref, true),
    );
  }
}
