import { randomBytes } from "node:crypto";
import { WebClient } from "@slack/web-api";
import { Redis } from "ioredis";
import {
  type SlackEmu,
  type SlackEmuOptions,
  startSlackEmu,
} from "../../../sandbox/slack-emu/server.ts";
import { createPendingApproval } from "../../../src/approvals/create-pending.ts";
import type { RecheckResult } from "../../../src/approvals/decide.ts";
import { createRoutingPolicy } from "../../../src/approvals/policy.ts";
import { createApprovalStore } from "../../../src/approvals/store.ts";
import type { ApprovalSubject } from "../../../src/approvals/types.ts";
import { createUserGroupResolver } from "../../../src/approvals/usergroups.ts";
import type { ApprovalPolicy as RoutingPolicy } from "../../../src/rules/approval-policy.ts";
import { createSlackApp, type SlackAppDeps, type SlackAppHandle } from "../../../src/slack/app.ts";
import type { SlackAuditEvent } from "../../../src/slack/audit-events.ts";
import { approvalActions } from "../../../src/slack/blocks/alert.ts";
import { fakeLookups } from "./fixtures.ts";

export const CHANNEL = "C0AP000001";
export const CLERK = "U0CLERK001";
export const APPROVER_1 = "U0APPR0001";
export const APPROVER_2 = "U0APPR0002";
export const ADMIN = "U0ADMIN001";

/** cost center 100: @ap-approvers up to 10,000 EUR; the admin without limit. */
export const routingPolicy: RoutingPolicy = {
  costCenters: {
    "100": [
      { upTo: { amount: "10000", currency: "EUR" }, groups: ["S0APPROVER"] },
      { upTo: "unlimited", users: [ADMIN] },
    ],
  },
};

export interface Harness {
  emu: SlackEmu;
  redis: Redis;
  prefix: string;
  slack: SlackAppHandle;
  port: number;
  client: WebClient;
  lookups: ReturnType<typeof fakeLookups>;
  audit: SlackAuditEvent[];
  store: ReturnType<typeof createApprovalStore>;
  /** What the ERP says at click time: `byAlert` per alert id, else `next`. */
  recheck: { next: RecheckResult; byAlert: Record<string, RecheckResult> };
  close(): Promise<void>;
}

export async function startHarness(
  name: string,
  overrides:
    | Partial<SlackAppDeps>
    | ((h: { emu: SlackEmu; redis: Redis; prefix: string }) => Partial<SlackAppDeps>) = {},
  emuOptions?: SlackEmuOptions,
): Promise<Harness> {
  // These tests are about commands and decisions, not pacing (delivery's tests cover that),
  // unless a test passes Slack's own limits in `emuOptions`.
  const emu = await startSlackEmu(
    emuOptions ?? { limits: { postMessagePerChannel: { ratePerSecond: 1000, burst: 1000 } } },
  );
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const prefix = `test:${name}:${randomBytes(4).toString("hex")}:`;
  const extra = typeof overrides === "function" ? overrides({ emu, redis, prefix }) : overrides;
  const client = new WebClient(emu.botToken, { slackApiUrl: emu.url, retryConfig: { retries: 0 } });
  const lookups = fakeLookups();
  const audit: SlackAuditEvent[] = [];
  const store = createApprovalStore({ redis, prefix });
  const recheck: Harness["recheck"] = { next: { changed: false }, byAlert: {} };
  const policy = createRoutingPolicy(
    routingPolicy,
    createUserGroupResolver({ client, redis, prefix }),
  );
  const slack = createSlackApp({
    config: {
      signingSecret: emu.signingSecret,
      botToken: emu.botToken,
      botId: "B0EMUBOT01",
      botUserId: "U0BOT00001",
      slackApiUrl: emu.url,
    },
    redis,
    keyPrefix: prefix,
    lookups,
    admins: [ADMIN],
    audit: (e) => {
      audit.push(e);
    },
    approvals: {
      store,
      policy,
      recheck: async (a) => recheck.byAlert[a.alertId] ?? recheck.next,
    },
    health: async () => [{ name: "ION API", ok: true, detail: "token valid 42 min" }],
    status: async () => ({
      entities: [{ entity: "supplier_invoice", ok: true, lastPollAt: "2026-12-01T00:00:00Z" }],
      queueDepth: 3,
      deadLetters: 0,
    }),
    replay: async ({ target }) => ({ ok: true, message: `Replayed ${JSON.stringify(target)}` }),
    ...extra,
  });
  const { port = 0 } = await slack.start(0);
  emu.platform.setRequestUrl(`http://127.0.0.1:${port}/slack/events`);
  return {
    emu,
    redis,
    prefix,
    slack,
    port,
    client,
    lookups,
    audit,
    store,
    recheck,
    async close() {
      await slack.stop();
      await emu.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Post-ack work is asynchronous: poll until `probe` returns a value (bounded). */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 4000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function subject(alertId: string, over: Partial<ApprovalSubject> = {}): ApprovalSubject {
  return {
    alertId,
    recordKey: `supplier_invoice:ACME_TST:100:AAA:10023/${alertId}`,
    kind: "invoice",
    title: `Invoice ${alertId} from Acme Tools GmbH`,
    amount: { amount: "4998.00", currency: "EUR" },
    costCenter: "100",
    tenant: "ACME_TST",
    company: "100",
    recordVersion: "v1",
    ...over,
  };
}

/**
 * What the sync side and delivery do: create the approval, post the alert with its buttons in
 * CHANNEL and bind the message to it. `headline` is the section text (default `*Invoice <id>*`).
 */
export async function postApprovalAlert(
  h: Pick<Harness, "store" | "client">,
  of: ApprovalSubject,
  headline = `*Invoice ${of.alertId}*`,
) {
  const approval = await createPendingApproval({ store: h.store }, of);
  const res = await h.client.chat.postMessage({
    channel: CHANNEL,
    text: `Invoice ${of.alertId} needs approval`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: headline } },
      approvalActions(approval.id) as never,
    ],
  });
  const ts = res.ts ?? "";
  await h.store.attachMessage(approval.id, CHANNEL, ts);
  return { approval, ts };
}

/** Every text in a list of blocks, flattened, for assertions on what people see. */
export function textOf(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}
