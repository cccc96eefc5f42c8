import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";
import { createAlert } from "../../src/alerts/alert.ts";
import type { DecisionSource, DecisionView } from "../../src/approvals/decisions.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import { recordKey } from "../../src/infor/records.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import { createSlackDelivery } from "../../src/slack/destination/delivery.ts";
import { payment, startEmu, waitFor } from "./emu.ts";
import { cleanup, connect, uniquePrefix } from "./helpers.ts";

const SCALE = 20;
const FIN = "C0FINANCE1";
let redis: RedisClient;
let emu: SlackEmu;
const prefix = uniquePrefix("refresh");
/** Where the approval on each record's message stands, as the approvals side would say. */
const views = new Map<string, DecisionView>();
/** Which approval's buttons each message carries (channel + ts → approval id), as attached. */
const onMessage = new Map<string, string>();
const decisions: DecisionSource = {
  decisionFor: async (q) => {
    const id = q.approvalId ?? (q.ts ? onMessage.get(`${q.channel}:${q.ts}`) : undefined);
    return id ? views.get(id) : undefined;
  },
  attach: async (approvalId, channel, ts) => {
    onMessage.set(`${channel}:${ts}`, approvalId);
  },
};

beforeAll(async () => {
  redis = connect();
  emu = await startEmu(SCALE);
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
  await emu.close();
});

function make(): Delivery {
  return createSlackDelivery({
    connection: redis,
    prefix,
    slack: { token: emu.botToken, slackApiUrl: emu.url },
    config: { timeScale: SCALE, retryDelayMs: 50, digests: { enabled: false } },
    decisions,
  });
}

const text = (ts: string) => JSON.stringify(emu.inspect.message(FIN, ts)?.blocks ?? []);
/** chat.update calls Slack applied in the channel (this file edits one message at a time). */
const updates = () =>
  emu.inspect.requests({ method: "chat.update" }).filter((r) => r.ok && r.channel === FIN).length;

describe("refresh: a message re-rendered in its channel's edit line", () => {
  it("renders the version delivered last with the decision as it stands, once per key, no thread reply", async () => {
    const d = make();
    try {
      d.startWorker({ concurrency: 2 });
      const v1 = payment(1, "100.00");
      const approvalId = "appr-refresh-1";
      views.set(approvalId, { approvalId, state: "pending" });
      await d.enqueue(
        createAlert({
          kind: "record.new",
          channel: FIN,
          record: v1,
          needsDecision: { approvalId },
        }),
      );
      const posted = await waitFor("posted", () =>
        emu.inspect.messages(FIN).find((m) => m.text.includes("PAY-1")),
      );
      const ts = posted.ts;
      await d.close();

      // A newer version is queued, then the approval is decided and a refresh asked, all while
      // no worker runs: the refresh must show the newer version, which is ahead of it in line.
      const d2 = make();
      await d2.enqueue(
        createAlert({
          kind: "record.updated",
          channel: FIN,
          record: payment(1, "250.00"),
          changes: [{ field: "Amount", from: "100.00 EUR", to: "250.00 EUR" }],
        }),
      );
      views.set(approvalId, { approvalId, state: "approved", by: "U0APPR0001" });
      const request = {
        channel: FIN,
        ts,
        recordKey: recordKey(v1),
        approvalId,
        key: "approved|1",
        stamp: { state: "approved", lines: ["Approved by <@U0APPR0001>", "M3 still needs it"] },
      };
      expect(await d2.refresh(request)).toBe(true);
      expect(await d2.refresh(request)).toBe(true); // the same key again: one edit
      const before = updates();
      d2.startWorker({ concurrency: 2 });
      await waitFor("refreshed", async () => {
        const s = await redis.hget(`${prefix}dlv:stats`, "refreshed");
        return Number(s) >= 1;
      });
      await waitFor("drained", async () => (await redis.zcard(`${prefix}dlv:pending`)) === 0);
      const blocks = text(ts);
      expect(blocks).toContain("250");
      expect(blocks).toContain("M3 still needs it");
      expect(blocks).not.toContain("approval.approve");
      // The update's edit and the refresh: two chat.updates, one thread reply (the update's).
      expect(updates() - before).toBe(2);
      expect(emu.inspect.thread(FIN, ts).filter((m) => m.ts !== ts)).toHaveLength(1);
      expect((await d2.stats()).refreshed).toBe(1);
      await d2.close();
    } finally {
      await d.close().catch(() => {});
    }
  });

  it("a message deleted meanwhile: the refresh is skipped, nothing is posted anew", async () => {
    const d = make();
    try {
      d.startWorker({ concurrency: 2 });
      const record = payment(2, "100.00");
      const approvalId = "appr-refresh-2";
      views.set(approvalId, { approvalId, state: "pending" });
      await d.enqueue(
        createAlert({ kind: "record.new", channel: FIN, record, needsDecision: { approvalId } }),
      );
      const { ts } = await waitFor("posted", () =>
        emu.inspect.messages(FIN).find((m) => m.text.includes("PAY-2")),
      );
      await waitFor("drained", async () => (await redis.zcard(`${prefix}dlv:pending`)) === 0);
      const client = new WebClient(emu.botToken, { slackApiUrl: emu.url });
      await client.chat.delete({ channel: FIN, ts });
      const count = emu.inspect.messages(FIN).length;
      views.set(approvalId, { approvalId, state: "approved", by: "U0APPR0001" });
      const asked = await d.refresh({
        channel: FIN,
        ts,
        recordKey: recordKey(record),
        approvalId,
        key: "approved|2",
      });
      expect(asked).toBe(true);
      await waitFor("drained", async () => (await redis.zcard(`${prefix}dlv:pending`)) === 0);
      expect(emu.inspect.messages(FIN)).toHaveLength(count);
      expect((await d.stats()).deadLetters).toBe(0);
      const skipped = await d.audit.query({ channel: FIN, types: ["skipped"] });
      expect(skipped.filter((e) => e.data?.reason === "message_gone")).toHaveLength(1);
    } finally {
      await d.close();
    }
  });

  it("showing: nothing to do while the render still holds; refreshed once a newer version is queued or another approval moved", async () => {
    const d = make();
    try {
      d.startWorker({ concurrency: 2 });
      const record = payment(3, "100.00");
      const approvalId = "appr-refresh-3";
      views.set(approvalId, { approvalId, state: "pending" });
      await d.enqueue(
        createAlert({ kind: "record.new", channel: FIN, record, needsDecision: { approvalId } }),
      );
      const { ts } = await waitFor("posted", () =>
        emu.inspect.messages(FIN).find((m) => m.text.includes("PAY-3")),
      );
      await waitFor("drained", async () => (await redis.zcard(`${prefix}dlv:pending`)) === 0);
      await d.close();
      views.set(approvalId, { approvalId, state: "approved", by: "U0APPR0001" });
      const request = {
        channel: FIN,
        ts,
        recordKey: recordKey(record),
        approvalId,
        key: "approved|3",
        stamp: { state: "approved", lines: ["Approved by <@U0APPR0001>"] },
      };
      const d2 = make();
      const rendered = await d2.renderNow(request);
      if (!rendered) throw new Error("delivery made this message: it renders it");
      expect(JSON.stringify(rendered.message)).toContain("Approved by");
      // The deciding side's write showed the latest version as the approvals stand: nothing.
      expect(await d2.refresh({ ...request, showing: rendered.showing })).toBe(true);
      expect(await redis.zcard(`${prefix}dlv:pending`)).toBe(0);
      // The words kept on the approval afterwards change nothing a person decides on.
      views.set(approvalId, {
        approvalId,
        state: "approved",
        by: "U0APPR0001",
        stamp: ["Approved by <@U0APPR0001>"],
      });
      expect(await d2.refresh({ ...request, showing: rendered.showing })).toBe(true);
      expect(await redis.zcard(`${prefix}dlv:pending`)).toBe(0);
      // The approval moved after the render (another decision on the message): refreshed.
      views.set(approvalId, { approvalId, state: "rejected", by: "U0APPR0002" });
      expect(await d2.refresh({ ...request, key: "moved|3", showing: rendered.showing })).toBe(
        true,
      );
      expect(await redis.zcard(`${prefix}dlv:pending`)).toBe(1);
      views.set(approvalId, { approvalId, state: "approved", by: "U0APPR0001" });
      // A newer version queued before the write was checked: the write showed stale content.
      await d2.enqueue(
        createAlert({
          kind: "record.updated",
          channel: FIN,
          record: payment(3, "300.00"),
          changes: [{ field: "Amount", from: "100.00 EUR", to: "300.00 EUR" }],
        }),
      );
      expect(await d2.refresh({ ...request, showing: rendered.showing })).toBe(true);
      expect(await redis.zcard(`${prefix}dlv:pending`)).toBe(3);
      await d2.close();
    } finally {
      await d.close().catch(() => {});
    }
  });

  it("a message delivery did not make cannot be refreshed", async () => {
    const d = make();
    try {
      const asked = await d.refresh({
        channel: FIN,
        ts: "1700000000.000100",
        recordKey: "payment:ACME_TST:100::PAY-404",
        approvalId: "appr-none",
        key: "approved|x",
      });
      expect(asked).toBe(false);
    } finally {
      await d.close();
    }
  });
});
