import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Alert, createAlert } from "../../src/alerts/alert.ts";
import { createApprovalStore } from "../../src/approvals/store.ts";
import type { Approval, ApprovalSubject } from "../../src/approvals/types.ts";
import { createSlackApprovalNotifier } from "../../src/slack/actions/approval-notifier.ts";
import { alertMessage } from "../../src/slack/blocks/alert.ts";
import { checkMessage } from "../../src/slack/blocks/limits.ts";
import {
  type ApproverCardsDeps,
  approverCards,
  withApproverCards,
} from "../../src/slack/direct/approver-cards.ts";
import { invoice } from "../blocks/fixtures.ts";

/** The fan-out of approvers' cards and their registration on the approval (real Redis). */
const prefix = `test:approver-cards:${randomBytes(4).toString("hex")}:`;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const subject = (alertId: string, over: Partial<ApprovalSubject> = {}): ApprovalSubject => ({
  alertId,
  recordKey: `supplier_invoice:ACME_PRD:100:AAA:S1001/${alertId}`,
  kind: "exception",
  title: `Price variance on invoice ${alertId}`,
  amount: { amount: "759.38", currency: "EUR" },
  costCenter: "CC-410",
  tenant: "ACME_PRD",
  company: "100",
  recordVersion: "v1",
  ...over,
});

function setup(over: Partial<ApproverCardsDeps> = {}) {
  const store = createApprovalStore({ redis, prefix });
  const opened: string[] = [];
  const deps: ApproverCardsDeps = {
    store,
    eligible: () => ({ users: ["U0BO000001", "U0ENTERER1"], groups: ["S0AP000001"] }),
    groupMembers: async () => new Set(["U0ANNA0001", "U0BO000001", "B0NOTAUSER"]),
    openIm: async (user) => {
      opened.push(user);
      return user === "U0AGONE001" ? undefined : `D${user.slice(1)}`;
    },
    limit: 10,
    ...over,
  };
  return { store, deps, opened };
}

async function channelAlert(store: ReturnType<typeof createApprovalStore>, id: string) {
  const { approval } = await store.create(
    subject(id, { enteredBy: "ESMITH", enteredBySlackId: "U0ENTERER1" }),
  );
  const alert = createAlert({
    kind: "exception.opened",
    channel: "C0AP000001",
    record: invoice({ invoiceNumber: id }),
    exception: { type: "price_variance", summary: "Above the PO price" },
    needsDecision: { approvalId: approval.id, ask: { users: ["U0BO000001"], groups: [] } },
  });
  return { approval, alert };
}

describe("approvers' cards", () => {
  it("one card per eligible person (users, group members; not the enterer, not a bot id)", async () => {
    const { store, deps } = setup();
    const { approval, alert } = await channelAlert(store, "C-1");
    const cards = await approverCards(deps, alert);
    expect(cards.map((c) => c.channel).sort()).toEqual(["D0ANNA0001", "D0BO000001"]);
    for (const c of cards) {
      expect(c.id).not.toBe(alert.id);
      expect(c.needsDecision).toMatchObject({
        approvalId: approval.id,
        dm: { from: "C0AP000001" },
      });
      expect(c.needsDecision?.ask).toBeUndefined();
      const m = alertMessage(c, { at: new Date("2026-12-01T08:00:00Z") });
      expect(m.text).toContain("Your decision");
      expect(JSON.stringify(m.blocks)).toContain("approval.approve");
      expect(JSON.stringify(m.blocks)).toContain("<#C0AP000001>");
      expect(checkMessage(m)).toEqual([]);
    }
    // Registered on the approval before posting: delivery's attach records the card, not the
    // channel message.
    await store.attachMessage(approval.id, "D0ANNA0001", "1.000100");
    const after = await store.get(approval.id);
    expect(after?.channel).toBeUndefined();
    expect(after?.directCards).toEqual(
      expect.arrayContaining([
        { user: "U0ANNA0001", channel: "D0ANNA0001", ts: "1.000100" },
        { user: "U0BO000001", channel: "D0BO000001" },
      ]),
    );
    expect((await store.forMessage("D0ANNA0001", "1.000100"))?.id).toBe(approval.id);
    await store.attachMessage(approval.id, "C0AP000001", "2.000200");
    expect((await store.get(approval.id))?.ts).toBe("2.000200");
  });

  it("at most `limit` cards, named approvers first; one who cannot be messaged is skipped", async () => {
    const { store, deps } = setup({
      limit: 2,
      eligible: () => ({ users: ["U0AGONE001", "U0BO000001", "U0ANNA0001"], groups: [] }),
      groupMembers: async () => new Set(["U0ZED00001"]),
    });
    const { alert } = await channelAlert(store, "C-2");
    const cards = await approverCards(deps, alert);
    // Named approvers first, in the bands' order; the group's member is cut by the limit.
    expect(cards.map((c) => c.channel)).toEqual(["D0BO000001", "D0ANNA0001"]);
  });

  it("a later version edits the cards already sent; a decided approval asks nobody new", async () => {
    const { store, deps, opened } = setup();
    const { approval, alert } = await channelAlert(store, "C-3");
    const first = await approverCards(deps, alert);
    await store.transition(approval.id, "approve", "U0BO000001");
    opened.length = 0;
    const later = await approverCards(
      { ...deps, eligible: () => ({ users: ["U0NEW00001"], groups: [] }) },
      { ...alert, contentVersion: "v2" },
    );
    expect(opened).toEqual([]);
    expect(later.map((c) => c.channel).sort()).toEqual(first.map((c) => c.channel).sort());
    // Nothing for a card itself, a resolved exception or an alert without a decision.
    expect(await approverCards(deps, first[0] as Alert)).toEqual([]);
    const { needsDecision: _n, ...plain } = alert;
    expect(await approverCards(deps, plain as Alert)).toEqual([]);
  });
});

describe("when a card cannot be made", () => {
  it("the channel alert is queued anyway, and a missing scope says what to do", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "warn" }, { write: (l: string) => void lines.push(l) });
    const { store, deps } = setup({
      openIm: async () => {
        throw Object.assign(new Error("An API error occurred: missing_scope"), {
          data: { ok: false, error: "missing_scope" },
        });
      },
    });
    const { alert } = await channelAlert(store, "C-SCOPE");
    const queued: Alert[] = [];
    await withApproverCards(async (a) => void queued.push(a), deps, logger)(alert);
    expect(queued.map((a) => a.id)).toEqual([alert.id]);
    expect(lines.join("")).toContain("im:write");
  });
});

describe("an invoice's message with several exception lines", () => {
  it("one card per line's approval per approver; an unchanged line is the same card alert", async () => {
    const { store, deps } = setup();
    const a = (await store.create(subject("DOC-L10", { enteredBySlackId: "U0ENTERER1" }))).approval;
    const b = (await store.create(subject("DOC-L20", { enteredBySlackId: "U0ENTERER1" }))).approval;
    const line = (id: string, n: number, approvalId: string, state: "open" | "resolved") => ({
      id,
      line: n,
      exception: { type: "price_variance", summary: `Line ${n} above the PO price` },
      state,
      since: "2026-12-01T08:00:00.000Z",
      approvalId,
    });
    const doc = (first: "open" | "resolved", rev: number) =>
      createAlert({
        kind: "exception.opened",
        channel: "C0AP000001",
        record: invoice({ invoiceNumber: "DOC" }),
        contentVersion: `d${rev}`,
        exception: { type: "invoice_exceptions", summary: "2 open exceptions" },
        document: {
          lines: [line("pv:10", 10, a.id, first), line("pv:20", 20, b.id, "open")],
          events: [],
        },
        needsDecision: { approvalId: a.id },
      });
    const v1 = await approverCards(deps, doc("open", 1));
    expect(v1).toHaveLength(4);
    const forA = v1.filter((c) => c.needsDecision?.approvalId === a.id);
    expect(forA.map((c) => c.channel).sort()).toEqual(["D0ANNA0001", "D0BO000001"]);
    expect(forA[0]?.exception?.summary).toBe("Line 10 above the PO price");
    expect(forA[0]?.document).toBeUndefined();
    expect(new Set(v1.map((c) => c.subject))).toEqual(new Set([`card:${a.id}`, `card:${b.id}`]));
    // The next revision resolves line 10: its cards change (resolved), line 20's are the same
    // alerts as before (delivered once, no edit, no reply).
    const v2 = await approverCards(deps, doc("resolved", 2));
    const ids1 = new Set(v1.map((c) => c.id));
    const changed = v2.filter((c) => !ids1.has(c.id));
    expect(changed.map((c) => [c.needsDecision?.approvalId, c.kind])).toEqual([
      [a.id, "exception.resolved"],
      [a.id, "exception.resolved"],
    ]);
    const m = alertMessage(changed[0] as Alert, { at: new Date("2026-12-01T09:00:00Z") });
    expect(m.text).toMatch(/^Resolved/);
    expect(JSON.stringify(m.blocks)).not.toContain("approval.approve");
  });
});

describe("reminders and escalations go to the approvers' cards", () => {
  const withCards = (a: Partial<Approval>): Approval => ({
    ...subject("R-1"),
    id: "apv_000000000000000000000001",
    state: "pending",
    createdAt: "2026-12-01T08:00:00.000Z",
    channel: "C0AP000001",
    ts: "1.000001",
    remindedAt: "2026-12-02T08:00:00.000Z",
    ...a,
  });
  const notifier = (posted: { channel: string; ts: string; text: string }[]) =>
    createSlackApprovalNotifier({
      client: { chat: { update: async () => ({ ok: true }) } } as never,
      logger: pino({ level: "silent" }),
      remindTo: () => "<@U0BO000001>",
      threadPoster: async ({ ref, text }) => {
        posted.push({ ...ref, text });
      },
    });

  it("a reminder is a reply under each card naming its reader, none in the channel", async () => {
    const posted: { channel: string; ts: string; text: string }[] = [];
    await notifier(posted).remind(
      withCards({
        directCards: [
          { user: "U0BO000001", channel: "D0BO000001", ts: "5.000001" },
          { user: "U0ANNA0001", channel: "D0ANNA0001", ts: "5.000002" },
          { user: "U0LATE0001", channel: "D0LATE0001" },
        ],
      }),
    );
    expect(posted.map((p) => p.channel)).toEqual(["D0BO000001", "D0ANNA0001"]);
    expect(posted[1]?.text).toContain("<@U0ANNA0001>: reminder");
  });

  it("without cards the reminder stays in the channel's thread", async () => {
    const posted: { channel: string; ts: string; text: string }[] = [];
    await notifier(posted).remind(withCards({}));
    expect(posted).toEqual([expect.objectContaining({ channel: "C0AP000001", ts: "1.000001" })]);
  });
});
