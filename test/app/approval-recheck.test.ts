import { randomBytes } from "node:crypto";
import { WebClient } from "@slack/web-api";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createApprovalSide } from "../../src/app/approvals.ts";
import { decide } from "../../src/approvals/decide.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { ApprovalAuditEvent } from "../../src/approvals/types.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import type { InforSource } from "../../src/infor/source.ts";
import { fileRedis } from "../sync/helpers.ts";

/**
 * The approval side as src/app composes it for the Slack app (store, routing policy, the
 * click-time ERP recheck, ERP user mapping), fed by an Infor source that fails or answers in
 * each way the recheck must handle. decide() over that composition, not over a hand-made
 * recheck: a read failure used to count as "unchanged" here and the click approved.
 */
const APPROVER = "U0APPROVER";
const INVOICE_KEY = "supplier_invoice:ACME_PRD:100:AAA:S1/INV-1";
const ROUTING = `
version: 1
channels: { ap: C0APGENERAL }
defaultChannel: ap
opsChannel: ap
tenants:
  - id: ACME_PRD
    companies:
      - company: 100
        divisions: [AAA]
        schedules:
          supplier_invoice: { every: 5m }
costCenters:
  "1100":
    channel: ap
    approvers:
      - upTo: unlimited
        users: [${APPROVER}]
`;

// Swept and quit after the file.
const { redis, prefix } = fileRedis("app-approval-recheck");

type FindInvoice = InforSource["findInvoice"];

function compose(findInvoice: FindInvoice, extraRouting = "") {
  const parsed = parseRouting(ROUTING + extraRouting);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const store = createApprovalStore({ redis, prefix });
  // Only findInvoice is reached by the recheck; anything else would be a wiring change to see.
  const source = { findInvoice } as Partial<InforSource> as InforSource;
  const side = createApprovalSide({
    redis,
    prefix,
    store,
    routing: parsed.config,
    // A users-only band never asks Slack; an unreachable URL makes any call fail loudly.
    client: new WebClient("xoxb-test", { slackApiUrl: "http://127.0.0.1:9/api/" }),
    sourceFor: () => source,
    logger: pino({ level: "silent" }),
  });
  const events: ApprovalAuditEvent[] = [];
  // The same four the web role hands to the Slack app (src/app/web.ts).
  const deps = {
    store: side.store,
    policy: side.policy,
    recheck: side.recheck,
    erpUserFor: side.erpUserFor,
    audit: (e: ApprovalAuditEvent) => {
      events.push(e);
    },
  };
  return { side, deps, events };
}

async function pending(side: ReturnType<typeof compose>["side"], recordKey = INVOICE_KEY) {
  const { approval } = await side.store.create({
    alertId: `A-${randomBytes(4).toString("hex")}`,
    recordKey,
    kind: "invoice",
    title: "Invoice INV-1 from S1",
    amount: { amount: "100.00", currency: "EUR" },
    costCenter: "1100",
    tenant: "ACME_PRD",
    company: "100",
    recordVersion: "v1",
  });
  return approval;
}

const invoiceWith = (status: string) => ({
  records: [{ entity: "supplier_invoice", status } as never],
  rejects: [],
});

describe("approval recheck as composed in src/app", () => {
  it("when the ERP cannot be read, nothing is decided and the approver is told why", async () => {
    const { side, deps, events } = compose(async () => {
      throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), {
        code: "transport",
      });
    });
    const approval = await pending(side);
    const out = await decide(deps, { approvalId: approval.id, verb: "approve", actor: APPROVER });
    expect(out).toMatchObject({
      kind: "recheck_failed",
      reason: "Infor could not be read: transport",
    });
    expect((await side.store.get(approval.id))?.state).toBe("pending");
    expect(events.map((e) => [e.type, e.code])).toEqual([["approval.refused", "erp_unreadable"]]);
    // The upstream's own text (hosts, addresses) is not what the approver reads.
    expect(JSON.stringify(out)).not.toContain("10.0.0.1");
  });

  it("an invoice Infor does not return, or returns unreadable, is not decided either", async () => {
    const missing = compose(async () => ({ records: [], rejects: [] }));
    const a = await pending(missing.side);
    expect(
      await decide(missing.deps, { approvalId: a.id, verb: "approve", actor: APPROVER }),
    ).toMatchObject({ kind: "recheck_failed", reason: "Infor did not return this invoice" });
    expect((await missing.side.store.get(a.id))?.state).toBe("pending");

    const garbled = compose(async () => ({ records: [], rejects: [{} as never] }));
    const b = await pending(garbled.side);
    expect(
      await decide(garbled.deps, {
        approvalId: b.id,
        verb: "reject",
        actor: APPROVER,
        reason: "x",
      }),
    ).toMatchObject({ kind: "recheck_failed" });
    expect((await garbled.side.store.get(b.id))?.state).toBe("pending");
  });

  it("an approval whose record key names no invoice is not decided", async () => {
    let reads = 0;
    const c = compose(async () => {
      reads++;
      return invoiceWith("entry");
    });
    const a = await pending(c.side, "supplier_invoice:ACME_PRD:100:AAA:no-slash");
    expect(
      await decide(c.deps, { approvalId: a.id, verb: "approve", actor: APPROVER }),
    ).toMatchObject({ kind: "recheck_failed" });
    expect(reads).toBe(0);
    expect((await c.side.store.get(a.id))?.state).toBe("pending");
  });

  it("a readable invoice: paid meanwhile supersedes, still open is decided", async () => {
    const asked: [string | undefined, string][] = [];
    const paid = compose(async (supplier, number) => {
      asked.push([supplier, number]);
      return invoiceWith("paid");
    });
    const a = await pending(paid.side);
    expect(
      await decide(paid.deps, { approvalId: a.id, verb: "approve", actor: APPROVER }),
    ).toMatchObject({ kind: "superseded", erpStatus: "paid" });
    expect(asked).toEqual([["S1", "INV-1"]]);

    const open = compose(async () => invoiceWith("entry"));
    const b = await pending(open.side);
    const out = await decide(open.deps, { approvalId: b.id, verb: "approve", actor: APPROVER });
    expect(out).toMatchObject({ kind: "done", approval: { state: "approved" } });
  });

  it("maps the clicker to the ERP user as M3 stores it (upper case), however routing.yml spells it", async () => {
    const { side } = compose(
      () => Promise.reject(new Error("no read expected")),
      `erpUsers: { jdoe: ${APPROVER} }\n`,
    );
    expect(await side.erpUserFor(APPROVER)).toBe("JDOE");
    expect(await side.erpUserFor("U0SOMEONE")).toBeUndefined();
  });
});
