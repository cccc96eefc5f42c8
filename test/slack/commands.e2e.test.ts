import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  CHANNEL,
  CLERK,
  eventually,
  type Harness,
  startHarness,
  textOf,
} from "./helpers/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness("slack-commands", {
    limits: { lookupsPerMinute: 20, cacheTtlSeconds: 60 },
  });
});
afterAll(async () => {
  await h?.close();
});

/** Sends `/infor <text>` as Slack does and returns the ack and the later response_url answer. */
async function run(text: string, user = CLERK) {
  const before = h.emu.inspect.responseUrlPosts().length;
  const res = await h.emu.platform.slashCommand({
    command: "/infor",
    text,
    userId: user,
    channelId: CHANNEL,
  });
  expect(res.status).toBe(200);
  const ack = res.body
    ? (JSON.parse(res.body) as { text?: string; blocks?: unknown[]; response_type?: string })
    : undefined;
  if (ack?.blocks) return { ack, answer: undefined };
  const post = await eventually(() => h.emu.inspect.responseUrlPosts()[before]);
  return { ack, answer: post.body as { text: string; blocks: unknown[]; response_type?: string } };
}

describe("/infor through signed requests", () => {
  it("po: header, lines, exceptions, share button; ephemeral", async () => {
    const { answer } = await run("po 4500012345");
    expect(answer?.response_type).toBe("ephemeral");
    const t = textOf(answer?.blocks);
    expect(t).toContain("Acme Tools GmbH");
    expect(t).toContain("12,480.50 EUR");
    expect(t).toContain("ordered 40 · received 25 · invoiced 20");
    expect(t).toContain("Invoice INV-7 (Acme Tools GmbH): Line 10: received 25");
    expect(t).toContain("lookup.share");
  });

  it("po not found says so, with nothing to share", async () => {
    const { answer } = await run("po 999");
    expect(answer?.text).toContain("No purchase order 999");
    expect(textOf(answer?.blocks)).not.toContain("lookup.share");
  });

  it("invoice with one and two arguments, duplicates, and an ERP failure", async () => {
    expect((await run("invoice INV-7")).answer?.text).toContain("Invoice INV-7");
    const two = await run("invoice 10024 INV-8");
    expect(textOf(two.answer?.blocks)).toContain("10024");
    const dup = await run("invoice DUP");
    expect(textOf(dup.answer?.blocks)).toContain("2 invoices numbered");
    const failed = await run("invoice FAIL");
    expect(failed.answer?.text).toContain("ion_timeout");
    expect(failed.answer?.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it("supplier by id, by name, and a pick list whose button shows the card", async () => {
    expect((await run("supplier 20001")).answer?.text).toContain("Nordic Paper");
    const list = await run("supplier acme tool");
    expect(list.answer?.text).toContain("3 suppliers match");
    const posts = h.emu.inspect.responseUrlPosts().length;
    const eph = await eventually(() =>
      h.emu.inspect
        .ephemerals({ user: CLERK })
        .findLast((e) => e.text.includes("3 suppliers match")),
    );
    const click = await h.emu.platform.blockAction({
      userId: CLERK,
      channelId: CHANNEL,
      messageTs: eph.message_ts,
      ephemeral: true,
      action: { action_id: "lookup.supplier.pick", value: "10024" },
    });
    expect(click.status).toBe(200);
    const post = await eventually(() => h.emu.inspect.responseUrlPosts()[posts]);
    expect(JSON.stringify(post.body)).toContain("Acme Tooling Ltd");
    expect(post.body.replace_original).toBe(true);
  });

  it("payment and gl with exact totals", async () => {
    expect((await run("payment PAY-1")).answer?.text).toContain("4,998.00 EUR");
    const gl = await run("gl 4010 2026-11");
    expect(textOf(gl.answer?.blocks)).toContain("100.30 EUR over 2 postings");
    expect((await run("gl 9999")).answer?.text).toContain("No postings");
  });

  it("status comes from the injected provider; its details only for admins (README)", async () => {
    const admin = (await run("status", ADMIN)).answer;
    expect(textOf(admin?.blocks)).toContain("supplier_invoice");
    expect(textOf(admin?.blocks)).toContain("Delivery queue");
    const clerk = (await run("status", CLERK)).answer;
    expect(textOf(clerk?.blocks)).toContain("supplier_invoice");
    for (const detail of ["Delivery queue", "Dead letters", "ION token", "Unrouted"]) {
      expect(textOf(clerk?.blocks)).not.toContain(detail);
    }
  });

  it("replay is for admins only", async () => {
    expect((await run("replay since 12h", CLERK)).answer?.text).toContain("Only admins");
    expect((await run("replay since 12h", ADMIN)).answer?.text).toContain("Replayed");
  });

  it.each([
    "",
    "help",
    "help gl",
    "po",
    "po 1 2",
    "gl 4010 2026-15",
    "frobnicate",
    "invoce 1",
    "supplier a",
  ])("%j answers with ephemeral help in the ack itself", async (text) => {
    const { ack } = await run(text);
    expect(ack?.response_type).toBe("ephemeral");
    expect(textOf(ack?.blocks)).toContain("/infor");
    expect(textOf(ack?.blocks)).not.toMatch(/Error:|at .*\.ts:\d+/);
  });

  it("share posts the same answer in the channel and removes the ephemeral", async () => {
    await run("po 4500012345");
    const eph = await eventually(() =>
      h.emu.inspect.ephemerals({ user: CLERK }).findLast((e) => e.text.startsWith("PO 4500012345")),
    );
    const posts = h.emu.inspect.responseUrlPosts().length;
    await h.emu.platform.blockAction({
      userId: CLERK,
      channelId: CHANNEL,
      messageTs: eph.message_ts,
      ephemeral: true,
      action: { action_id: "lookup.share" },
    });
    const shared = await eventually(() =>
      h.emu.inspect.messages(CHANNEL).find((m) => m.text.startsWith("PO 4500012345")),
    );
    expect(textOf(shared.blocks)).toContain(`Shared by <@${CLERK}>`);
    expect(textOf(shared.blocks)).not.toContain("lookup.share");
    const del = await eventually(() => h.emu.inspect.responseUrlPosts()[posts]);
    expect(del.body.delete_original).toBe(true);
  });

  it("caches lookups and limits ERP calls per user", async () => {
    const before = h.lookups.calls;
    await run("po 4500012345");
    expect(h.lookups.calls).toBe(before);
    const user = "U0CLERK002";
    // The limit is a fixed one-minute window: don't start right before it rolls over.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((r) => setTimeout(r, 60_100 - intoMinute));
    const limitedBefore = h.slack.stats.rateLimitedLookups;
    const answers: string[] = [];
    for (let i = 0; i < 22; i++) answers.push((await run(`po RL${i}`, user)).answer?.text ?? "");
    expect(answers.filter((a) => a.includes("Try again in"))).toHaveLength(2);
    expect(h.slack.stats.rateLimitedLookups - limitedBefore).toBe(2);
    const audited = h.audit.filter((e) => e.type === "command" && e.actor === user);
    expect(
      audited.filter((e) => e.type === "command" && e.outcome === "rate_limited"),
    ).toHaveLength(2);
  });
});
