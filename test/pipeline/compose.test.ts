import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRouting } from "../../src/config/routing-load.ts";
import { recordKey } from "../../src/infor/records.ts";
import { createExceptionPipeline } from "../../src/pipeline/compose.ts";
import { lookupsFromSources } from "../../src/pipeline/lookups.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { cleanup, connect, eventFor, FakeApprovals, invoice, po, uniquePrefix } from "./helpers.ts";

let redis: RedisClient;
const prefix = uniquePrefix("pipeline-compose");
beforeAll(() => {
  redis = connect();
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

const ROUTING = `
version: 1
channels: { ap: C0AP000001, ops: C0OPS00001, cc100: C0CC100001 }
defaultChannel: ap
opsChannel: ops
tenants:
  - id: T1
    companies: [{ company: 100, divisions: [AAA] }]
costCenters:
  CC100: { channel: cc100, approvers: [{ upTo: unlimited, groups: [S0APPROVER] }] }
  CC900: { channel: cc100 }
tolerances:
  default: { pricePercent: 2 }
  costCenters:
    CC100: { pricePercent: 12 }
# M3 stores user ids upper case (changedBy JSMITH); routing.yml may spell them either way.
erpUsers: { jsmith: U0CLERK001 }
`;

describe("createExceptionPipeline", () => {
  it("builds the sink hook from routing.yml: channel aliases, tolerances, ERP users", async () => {
    const parsed = parseRouting(ROUTING);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const approvals = new FakeApprovals();
    const subjects: unknown[] = [];
    const reads: string[] = [];
    const lookups = lookupsFromSources((scope) => ({
      async getPurchaseOrder(number) {
        reads.push(`${scope.tenant}/${scope.company}/${scope.division}/${number}`);
        return { records: [po({}, { receivedQty: "10" })], rejects: [] };
      },
      async findInvoice() {
        return { records: [], rejects: [] };
      },
    }));
    const pipeline = createExceptionPipeline({
      redis,
      prefix,
      routing: parsed.config,
      lookups,
      createPending: async (s) => {
        subjects.push(s);
        return approvals.createPending(s);
      },
    });
    const priced = (price: string, total: string) =>
      invoice(
        { changedBy: "JSMITH", total: { amount: total, currency: "EUR" } },
        {
          unitPrice: { amount: price, currency: "EUR" },
          amount: { amount: total, currency: "EUR" },
        },
      );
    // 10 % above the PO price: within CC100's 12 %, although the default is 2 %.
    expect(await pipeline.extraAlerts(eventFor(priced("5.50", "55.00")))).toEqual([]);
    const [alert] = await pipeline.extraAlerts(eventFor(priced("5.75", "57.50")));
    expect(alert?.kind).toBe("exception.opened");
    expect(alert?.channel).toBe("C0CC100001");
    expect(subjects[0]).toMatchObject({
      kind: "exception",
      recordKey: recordKey(invoice()),
      // One approval per exception line (the message is the invoice's).
      alertId: expect.stringMatching(/^[0-9a-f]{32}$/),
      line: expect.any(Number),
      costCenter: "CC100",
      enteredBy: "JSMITH",
      enteredBySlackId: "U0CLERK001",
      amount: { amount: "7.5", currency: "EUR" },
      // App Home lists a title per approval: the line tells two of one invoice apart.
      title: expect.stringMatching(/^Price variance on line \d+: invoice INV-1 from /),
    });
    expect(reads).toContain("T1/100/AAA/4500001");
    // CC100's approvers (a user group) are asked on the message.
    expect(alert?.needsDecision?.ask).toEqual({ users: [], groups: ["S0APPROVER"] });
    const causes = await pipeline.openExceptions(recordKey(invoice()));
    expect(causes).toHaveLength(1);
    expect(causes[0]).toContain("+15.0 %");
    // `/infor po` finds them through the PO's invoices (the PO's own key holds none).
    const onPo = await pipeline.poExceptions({ tenant: "T1", company: "100", number: "4500001" });
    expect(onPo).toHaveLength(1);
    expect(onPo[0]).toMatch(/^Invoice \S+ \(.+\): .*\+15\.0 %/);
    expect(
      await pipeline.poExceptions({ tenant: "T1", company: "100", number: "4500002" }),
    ).toEqual([]);
  });

  it("mentions nobody when approvals.mentionApprovers is false, buttons stay", async () => {
    const parsed = parseRouting(`${ROUTING}approvals: { mentionApprovers: false }\n`);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const pipeline = createExceptionPipeline({
      redis,
      prefix: `${prefix}nomention:`,
      routing: parsed.config,
      lookups: lookupsFromSources(() => ({
        async getPurchaseOrder() {
          return { records: [po({}, { receivedQty: "10" })], rejects: [] };
        },
        async findInvoice() {
          return { records: [], rejects: [] };
        },
      })),
      createPending: async () => ({ id: "apr-2" }),
    });
    const priced = invoice(
      { invoiceNumber: "INV-2", total: { amount: "80.00", currency: "EUR" } },
      {
        unitPrice: { amount: "8.00", currency: "EUR" },
        amount: { amount: "80.00", currency: "EUR" },
      },
    );
    const [alert] = await pipeline.extraAlerts(eventFor(priced));
    expect(alert?.needsDecision?.approvalId).toBe("apr-2");
    expect(alert?.needsDecision?.ask).toBeUndefined();
  });

  it("offers no buttons on a cost center nobody may approve for, and says so", async () => {
    const parsed = parseRouting(ROUTING);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const created: unknown[] = [];
    const pipeline = createExceptionPipeline({
      redis,
      prefix: `${prefix}noapprover:`,
      routing: parsed.config,
      lookups: lookupsFromSources(() => ({
        async getPurchaseOrder() {
          return { records: [po({}, { costCenter: "CC900", receivedQty: "10" })], rejects: [] };
        },
        async findInvoice() {
          return { records: [], rejects: [] };
        },
      })),
      createPending: async (s) => {
        created.push(s);
        return { id: "apr-1" };
      },
    });
    const priced = invoice(
      { invoiceNumber: "INV-900", total: { amount: "80.00", currency: "EUR" } },
      {
        unitPrice: { amount: "8.00", currency: "EUR" },
        amount: { amount: "80.00", currency: "EUR" },
      },
    );
    const [alert] = await pipeline.extraAlerts(eventFor(priced));
    expect(alert?.kind).toBe("exception.opened");
    expect(alert?.exception?.type).toBe("price_variance");
    expect(alert?.needsDecision).toBeUndefined();
    expect(created).toEqual([]);
    expect(alert?.exception?.details).toContainEqual({
      label: "Decision",
      value: expect.stringContaining("no approver is set for cost center CC900"),
    });
  });

  it("asks the ERP for same-number invoices only when told to (it costs ION budget)", async () => {
    const asked: string[] = [];
    const source = {
      async getPurchaseOrder() {
        return { records: [], rejects: [] };
      },
      async findInvoice(supplierId: string | undefined, number: string) {
        asked.push(`${supplierId}/${number}`);
        return { records: [], rejects: [] };
      },
    };
    const scope = { tenant: "T1", company: "100", division: "AAA" };
    expect(lookupsFromSources(() => source).findInvoices).toBeUndefined();
    const withErp = lookupsFromSources(() => source, { erpDuplicateLookup: true });
    await withErp.findInvoices?.(scope, "S100", "INV-1");
    expect(asked).toEqual(["S100/INV-1"]);
  });
});
