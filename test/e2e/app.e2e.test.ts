import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHANNELS, DEMO_USERS } from "../../sandbox/demo/routing.ts";
import { eventually, priceVariance, REDIS_URL, type Stack, startStack } from "./helpers.ts";

/**
 * The composed app end to end: ION simulator → sync → pipeline → delivery → Slack emulator, and
 * back: signed slash commands and button clicks from the emulator into Bolt, approvals.
 */
const CC100 = DEMO_CHANNELS.cc100;
const APPROVER = DEMO_USERS.approvers[0].id;
const CLERK = DEMO_USERS.nonApprovers[0].id;
const SINO = "E2E-PV-1";

let stack: Stack;
let puno = "";

beforeAll(async () => {
  stack = await startStack("e2e-app", (sim) => {
    puno = priceVariance(sim, { sino: SINO }).puno;
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
}, 30_000);

const text = (v: unknown) => JSON.stringify(v ?? "");

function exceptionMessage() {
  return stack.emu.inspect
    .messages(CC100)
    .find(
      (m) => /price variance/i.test(m.text ?? "") && text(m.blocks).includes("approval.approve"),
    );
}

describe("simulator → app → emulator", () => {
  it("posts the invoice and its price variance to the cost center's channel", async () => {
    const msg = await eventually(exceptionMessage, 45_000, "price variance in #cc-100");
    expect(msg.text).toContain("52.90");
    // The invoice's own alert lands in the same channel (cost center CC100).
    const invoiceAlerts = stack.emu.inspect.messages(CC100).filter((m) => text(m).includes(SINO));
    expect(invoiceAlerts.length).toBeGreaterThanOrEqual(1);
    // Nothing for CC100 went to the default channel.
    const elsewhere = stack.emu.inspect
      .messages(DEMO_CHANNELS.apInvoices)
      .filter((m) => text(m).includes(SINO));
    expect(elsewhere).toHaveLength(0);
  }, 60_000);

  it("answers /infor po privately", async () => {
    const res = await stack.emu.platform.slashCommand({
      command: "/infor",
      text: `po ${puno}`,
      userId: CLERK,
      channelId: CC100,
    });
    expect(res.status).toBe(200);
    const answer = await eventually(
      () =>
        stack.emu.inspect.responseUrlPosts().find((p) => text(p).includes(puno)) ??
        stack.emu.inspect.ephemerals({ user: CLERK }).find((e) => text(e).includes(puno)),
      15_000,
      "the /infor po answer",
    );
    expect(text(answer)).not.toContain('"response_type":"in_channel"');
    // Private: nothing new in the channel mentions the PO as a command answer.
    expect(stack.emu.inspect.messages(CC100).filter((m) => m.user === CLERK)).toHaveLength(0);
  }, 30_000);

  it("refuses a non-approver and keeps the buttons", async () => {
    const msg = exceptionMessage();
    expect(msg).toBeDefined();
    const before = stack.emu.inspect.responseUrlPosts().length;
    await stack.emu.platform.blockAction({
      userId: CLERK,
      channelId: CC100,
      messageTs: msg?.ts as string,
      action: { action_id: "approval.approve" },
    });
    const refusal = await eventually(
      () =>
        stack.emu.inspect
          .responseUrlPosts()
          .slice(before)
          .find((p) => text(p).includes(":lock:")),
      15_000,
      "the refusal",
    );
    expect(text(refusal)).toContain("Nothing was recorded");
    const after = stack.emu.inspect.message(CC100, msg?.ts as string);
    expect(text(after?.blocks)).toContain("approval.approve");
    expect(after?.edits ?? []).toHaveLength(0);
  }, 30_000);

  it("lets an approver approve: message stamped, buttons gone, thread reply", async () => {
    const msg = exceptionMessage();
    expect(msg).toBeDefined();
    await stack.emu.platform.blockAction({
      userId: APPROVER,
      channelId: CC100,
      messageTs: msg?.ts as string,
      action: { action_id: "approval.approve" },
    });
    const updated = await eventually(
      () => {
        const m = stack.emu.inspect.message(CC100, msg?.ts as string);
        return m && !text(m.blocks).includes("approval.approve") ? m : undefined;
      },
      15_000,
      "the approved message",
    );
    expect(text(updated.blocks)).toMatch(/Approved/i);
    expect(text(updated.blocks)).toContain(APPROVER);
    const thread = await eventually(
      () => {
        const replies = stack.emu.inspect.thread(CC100, msg?.ts as string);
        return replies.length > 1 ? replies : undefined;
      },
      10_000,
      "a thread reply",
    );
    expect(text(thread)).toMatch(/approved/i);
  }, 30_000);

  it("/infor invoice shows who approved the invoice's exception", async () => {
    const before = stack.emu.inspect.responseUrlPosts().length;
    await stack.emu.platform.slashCommand({
      command: "/infor",
      text: `invoice ${SINO}`,
      userId: CLERK,
      channelId: CC100,
    });
    const answer = await eventually(
      () =>
        stack.emu.inspect
          .responseUrlPosts()
          .slice(before)
          .find((p) => text(p).includes(SINO)),
      15_000,
      "the /infor invoice answer",
    );
    expect(text(answer)).toContain(`Approved by <@${APPROVER}>`);
  }, 30_000);
});

describe("operations through the composed app", () => {
  it("answers /infor status from sync status, delivery and ION", async () => {
    const before = stack.emu.inspect.responseUrlPosts().length;
    await stack.emu.platform.slashCommand({
      command: "/infor",
      text: "status",
      userId: DEMO_USERS.admin.id,
      channelId: CC100,
    });
    const answer = await eventually(
      () =>
        stack.emu.inspect
          .responseUrlPosts()
          .slice(before)
          .find((p) => text(p).includes("supplier_invoice")),
      15_000,
      "the status answer",
    );
    expect(text(answer)).toContain("purchase_order");
    expect(text(answer)).toContain("ION SIMCO_TST");
  }, 30_000);

  it("replays from the audit log for an admin, leaving delivered alerts alone", async () => {
    // The approval's re-renders (refreshes of the message and each card, paced on chat.update's
    // tier) are alerts too: an alert still queued is not delivered, so a replay would queue it.
    const redis = new Redis(REDIS_URL);
    try {
      await eventually(
        async () => (await redis.zcard(`${stack.prefix}dlv:pending`)) === 0 || undefined,
        20_000,
        "delivery drained",
      );
    } finally {
      await redis.quit();
    }
    const before = stack.emu.inspect.responseUrlPosts().length;
    await stack.emu.platform.slashCommand({
      command: "/infor",
      text: "replay since 1h",
      userId: DEMO_USERS.admin.id,
      channelId: CC100,
    });
    const answer = await eventually(
      () =>
        stack.emu.inspect
          .responseUrlPosts()
          .slice(before)
          .find((p) => text(p).includes("already delivered")),
      15_000,
      "the replay answer",
    );
    expect(text(answer)).toMatch(/Re-queued 0 alerts; [1-9]\d* already delivered/);
  }, 30_000);

  it("counts posts, polls, decisions and the delivery lag in /metrics", async () => {
    const body = await (await fetch(`${stack.app.url}/metrics`)).text();
    expect(body).toMatch(/cloudsuite_slack_posts_total\{[^}]*outcome="posted"[^}]*\} [1-9]/);
    expect(body).toMatch(/cloudsuite_polls_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(body).toContain("cloudsuite_delivery_lag_seconds_bucket");
    // One refusal and one approval in the tests above.
    expect(body).toMatch(/cloudsuite_approvals_total\{[^}]*outcome="denied"[^}]*\} 1/);
    expect(body).toMatch(/cloudsuite_approvals_total\{[^}]*outcome="approved"[^}]*\} 1/);
  });
});

describe("App Home through the composed app", () => {
  it("publishes a Home tab with the user's recent decision and the health lines", async () => {
    await stack.emu.platform.appHomeOpened(APPROVER);
    const home = await eventually(() => stack.emu.inspect.home(APPROVER), 15_000, "the Home tab");
    const blocks = text(home.blocks);
    expect(blocks).toMatch(/approved/i);
    expect(blocks).toMatch(/redis/i);
  }, 30_000);
});
