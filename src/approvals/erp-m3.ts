import {
  isAmbiguous,
  type M3ApprovalCalls,
  type M3InvoiceRef,
  m3Refusal,
} from "../infor/m3/approval-calls.ts";
import type { ErpAdapter, ErpRoute, ErpState, ErpVerb } from "./erp-types.ts";
import type { Approval } from "./types.ts";

/**
 * Chooses M3's approval route for an invoice (docs/erp-approvals.md "Which route fits which
 * invoice"): APS450MI for self-billing and supplier-claim batches, CMS740/742MI for posted invoices
 * of tenants that use M3's approval flow, APS110MI (approve only) for other posted invoices.
 */
export type M3RouteName = "APS450MI" | "APS110MI" | "CMS740MI";

const APS450_TYPES = new Set(["10", "50", "51"]);

export function chooseM3Route(
  head: { ibtp: string; supa: string },
  usesFlow: boolean,
): { route: M3RouteName } | { none: string } {
  const supa = Number(head.supa);
  if (supa === 90) return { route: usesFlow ? "CMS740MI" : "APS110MI" };
  if (APS450_TYPES.has(head.ibtp)) {
    if (supa >= 30) return { route: "APS450MI" };
    return { none: `M3 shows this batch at status ${head.supa}: it must be printed (30) first` };
  }
  return {
    none: `M3 has no approval transaction for invoice type ${head.ibtp || "?"} before it is posted (APS450MI answers X_00050)`,
  };
}

/** Where the approval's document is in M3: from the record key, read once more from M3. */
export function parseInvoiceKey(
  recordKey: string,
):
  | { company: string; division: string; inbn?: string; supplier?: string; number?: string }
  | undefined {
  const parts = recordKey.split(":");
  if (parts[0] !== "supplier_invoice" || parts.length < 5) return undefined;
  const [, , company = "", division = "", ...rest] = parts;
  const id = rest.join(":");
  // Batch-number identity (company + division + INBN): the id is the INBN alone or ends in it.
  const inbn = /^(?:.*[#@/])?(\d{1,10})$/.exec(id)?.[1];
  const slash = id.indexOf("/");
  if (slash > 0 && !/^\d+$/.test(id.slice(slash + 1)))
    return { company, division, supplier: id.slice(0, slash), number: id.slice(slash + 1) };
  if (inbn && slash <= 0) return { company, division, inbn };
  if (slash > 0)
    return { company, division, supplier: id.slice(0, slash), number: id.slice(slash + 1) };
  return undefined;
}

export interface M3AdapterOptions {
  calls: M3ApprovalCalls;
  usesFlow: boolean;
  /** CSYTAB SCRE code sent with RejectInvoice (M3 refuses free text there). */
  rejectReasonCode: string;
  /** The batch number of an invoice known only by supplier and number (LstInvBySupInv). */
  findBatch?: (ref: {
    company: string;
    division: string;
    supplier: string;
    number: string;
  }) => Promise<string | undefined>;
}

export function createM3Adapter(o: M3AdapterOptions): ErpAdapter {
  return {
    async routeFor(approval: Approval) {
      const key = parseInvoiceKey(approval.recordKey);
      if (!key) return { ok: false, reason: "only supplier invoices are written back to M3" };
      let inbn = key.inbn;
      try {
        if (!inbn && key.supplier && key.number && o.findBatch) {
          inbn = await o.findBatch({ ...key, supplier: key.supplier, number: key.number });
        }
        if (!inbn) return { ok: false, reason: "the invoice batch number is not known" };
        const probe: M3InvoiceRef = {
          company: key.company,
          division: key.division,
          inbn,
          supplier: key.supplier ?? "",
          invoiceNumber: key.number ?? "",
        };
        const head = await o.calls.batch(probe);
        const chosen = chooseM3Route(head, o.usesFlow);
        if ("none" in chosen) return { ok: false, reason: chosen.none };
        const ref: M3InvoiceRef = {
          ...probe,
          supplier: head.supplier || probe.supplier,
          invoiceNumber: head.invoiceNumber || probe.invoiceNumber,
          year: head.year,
        };
        return { ok: true, route: routeOf(chosen.route, ref, o, head) };
      } catch (err) {
        if (m3Refusal(err)?.code === "not_found")
          return { ok: false, reason: "M3 no longer has this invoice batch" };
        return { ok: false, unreadable: true, reason: "M3 could not be read to choose the route" };
      }
    },
  };
}

function refusalText(err: unknown) {
  const r = m3Refusal(err, {
    CMS7401: "not_authorised",
    CMS7402: "already_decided",
    APS1101: "already_decided",
    XAU0001: "not_authorised",
  });
  return r ? { code: r.code, message: r.message } : undefined;
}

function routeOf(
  name: M3RouteName,
  ref: M3InvoiceRef,
  o: M3AdapterOptions,
  head?: { supa: string; reason: string },
): ErpRoute {
  // The head read to choose the route answers the first state() (a poll reads M3 once per
  // invoice); any write drops it, so a read after a write always goes to M3.
  let fresh = head;
  let linesRead: ReturnType<M3ApprovalCalls["flowLines"]> | undefined;
  const common = { name, refusal: refusalText, ambiguous: isAmbiguous };
  const ledger = {
    DIVI: ref.division,
    SUNO: ref.supplier,
    SINO: ref.invoiceNumber,
    INYR: ref.year ?? "",
  };
  if (name === "APS450MI") {
    return {
      ...common,
      unsupported: (verb: ErpVerb) =>
        verb === "approve_line" ? "APS450MI approves whole batches only" : undefined,
      describe: (d) => ({
        program: "APS450MI",
        transaction: d.verb === "reject" ? "RejectInvoice" : "ApproveInvoice",
        inputs: {
          DIVI: ref.division,
          INBN: ref.inbn ?? "",
          ...(d.verb === "reject"
            ? { SCRE: o.rejectReasonCode, SDA1: (d.reason ?? "").slice(0, 60) }
            : {}),
        },
      }),
      async state(): Promise<ErpState> {
        const head = fresh ?? (await o.calls.batch(ref));
        fresh = undefined;
        if (head.supa === "50" || head.supa === "90")
          return { status: "approved", detail: `status ${head.supa}` };
        if (head.supa === "40") return { status: "rejected", detail: head.reason || "status 40" };
        return { status: "pending" };
      },
      apply: (d) => {
        fresh = undefined;
        return d.verb === "reject"
          ? o.calls.rejectBatch(ref, d.reason ?? "", o.rejectReasonCode)
          : o.calls.approveBatch(ref);
      },
    };
  }
  if (name === "APS110MI") {
    return {
      ...common,
      unsupported: (verb: ErpVerb) =>
        verb === "approve"
          ? undefined
          : "M3 has no reject or line transaction for posted invoices outside its approval flow (APS110MI approves only); AP stops it in APS110",
      describe: () => ({ program: "APS110MI", transaction: "ApproveInvoice", inputs: ledger }),
      // No public read of the payment-approval flag through MI: an ambiguous outcome stays unknown.
      state: () => Promise.reject(new Error("APS110MI approval state is not readable through MI")),
      apply: () => o.calls.approveForPayment(ref),
    };
  }
  return {
    ...common,
    unsupported: () => undefined,
    describe: (d) => ({
      program: d.verb === "approve_line" ? "CMS742MI" : "CMS740MI",
      transaction:
        d.verb === "approve_line"
          ? "ApproveLine"
          : d.verb === "reject"
            ? "Reject"
            : "ApproveInvoice",
      inputs: {
        ...ledger,
        USID: d.erpUser ?? "",
        ...(d.line !== undefined ? { LINE: String(d.line) } : {}),
      },
    }),
    async state(d?: { verb: ErpVerb; line?: number }): Promise<ErpState> {
      if (d?.verb === "approve_line") {
        // One read of the invoice's lines answers every line's state until a write (a
        // reflection asks once per exception line of the same invoice).
        linesRead ??= o.calls.flowLines(ref);
        const lines = await linesRead.catch((err: unknown) => {
          linesRead = undefined;
          throw err;
        });
        const mine = lines.find((l) => l.line === d.line);
        return mine?.approved ? { status: "approved" } : { status: "pending" };
      }
      const s = await o.calls.flowState(ref);
      if (s.status === "pending") return { status: "pending" };
      return { status: s.status, ...(s.decidedBy ? { by: s.decidedBy } : {}) };
    },
    apply: async (d) => {
      // Dropped before and after the write: a read while it was under way saw the lines as
      // they were before it.
      linesRead = undefined;
      const user = d.erpUser ?? "";
      try {
        if (d.verb === "approve_line") return await o.calls.flowApproveLine(ref, user, d.line ?? 0);
        if (d.verb === "reject") return await o.calls.flowReject(ref, user, d.reason ?? "");
        return await o.calls.flowApprove(ref, user);
      } finally {
        linesRead = undefined;
      }
    },
  };
}
