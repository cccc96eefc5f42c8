import { describe, expect, it } from "vitest";
import { createM3Adapter } from "../../src/approvals/erp-m3.ts";
import type { ErpRoute } from "../../src/approvals/erp-types.ts";
import type { Approval } from "../../src/approvals/types.ts";
import type { BatchState, M3ApprovalCalls } from "../../src/infor/m3/approval-calls.ts";

/**
 * The M3 flow route keeps one read of an invoice's lines (CMS742MI Lst) for every line's state
 * until a write: a read taken while the write was under way must not outlive it.
 */
const head: BatchState = {
  ibtp: "20",
  supa: "90",
  aapd: "",
  rejd: "",
  apcd: "APPR1",
  lmdt: "20261201",
  reason: "",
  supplier: "S1",
  invoiceNumber: "INV-1",
  year: "2026",
};

function flowRoute() {
  let approved = false;
  let lstCalls = 0;
  let release: () => void = () => undefined;
  const written = new Promise<void>((r) => {
    release = r;
  });
  // Only what the flow route reaches; anything else would be a change of the route to see.
  const calls = {
    batch: async () => head,
    flowLines: async () => {
      lstCalls++;
      return [{ line: 1, approved }];
    },
    flowApproveLine: async () => {
      await written;
      approved = true;
    },
  } as unknown as M3ApprovalCalls;
  const adapter = createM3Adapter({ calls, usesFlow: true, rejectReasonCode: "RJ" });
  return {
    adapter,
    lstCalls: () => lstCalls,
    release: () => release(),
  };
}

const approval = {
  id: "apv_1",
  recordKey: "supplier_invoice:T1:100:AAA:1000001",
  line: 1,
} as Approval;

async function routeOf(adapter: ReturnType<typeof createM3Adapter>): Promise<ErpRoute> {
  const found = await adapter.routeFor(approval);
  if (!found.ok) throw new Error(found.reason);
  return found.route;
}

const lineState = (route: ErpRoute) =>
  route.state({ approval, verb: "approve_line", actor: "U1", line: 1 });

describe("M3 flow route: the lines read", () => {
  it("answers every line's state from one read until a write", async () => {
    const f = flowRoute();
    const route = await routeOf(f.adapter);
    await lineState(route);
    await lineState(route);
    expect(f.lstCalls()).toBe(1);
  });

  it("a read taken while the write was under way is read again after it", async () => {
    const f = flowRoute();
    const route = await routeOf(f.adapter);
    const applied = route.apply({
      approval,
      verb: "approve_line",
      actor: "U1",
      line: 1,
      erpUser: "APPR1",
    });
    // M3 has not answered yet: the lines as they were before the write.
    expect((await lineState(route)).status).toBe("pending");
    f.release();
    await applied;
    expect((await lineState(route)).status).toBe("approved");
    expect(f.lstCalls()).toBe(2);
  });
});
