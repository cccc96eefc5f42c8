import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CHANNELS, DEMO_USERS } from "../../sandbox/demo/routing.ts";
import { signBody } from "../../src/ops/bod/auth.ts";
import {
  BOD_SECRET,
  eventually,
  priceVariance,
  REDIS_URL,
  type Stack,
  startStack,
} from "./helpers.ts";

/**
 * Scale-out shape: three app instances on one Redis, one role each. The scheduler creates the
 * poll schedules, the worker polls and posts, the web instance answers the button: the alert and
 * the decision cross instances only through Redis.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(
    "e2e-roles",
    (sim) => {
      priceVariance(sim, { sino: "E2E-ROLES-1" });
    },
    [["web"], ["worker"], ["scheduler"]],
  );
}, 60_000);

afterAll(async () => {
  await stack?.close();
}, 30_000);

describe("roles in separate instances", () => {
  it("each instance runs only its role", async () => {
    expect(stack.apps.map((a) => a.roles)).toEqual([["web"], ["worker"], ["scheduler"]]);
    expect(stack.apps[0]?.slackRequestUrl).toMatch(/\/slack\/events$/);
    expect(stack.apps[1]?.slackRequestUrl).toBeUndefined();
    // Roles without Bolt still serve liveness for their orchestrator.
    const health = await fetch(`${stack.apps[1]?.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("scheduler → worker → Slack → web: posted once, approved once", async () => {
    const channel = DEMO_CHANNELS.cc100;
    const msg = await eventually(
      () =>
        stack.emu.inspect
          .messages(channel)
          .find(
            (m) =>
              /price variance/i.test(m.text ?? "") &&
              JSON.stringify(m.blocks).includes("approval.approve"),
          ),
      45_000,
      "the price variance",
    );
    await stack.emu.platform.blockAction({
      userId: DEMO_USERS.approvers[0].id,
      channelId: channel,
      messageTs: msg.ts,
      action: { action_id: "approval.approve" },
    });
    await eventually(
      () =>
        !JSON.stringify(stack.emu.inspect.message(channel, msg.ts)?.blocks).includes(
          "approval.approve",
        ),
      15_000,
      "the buttons to go",
    );
    const variances = stack.emu.inspect
      .messages(channel)
      .filter((m) => /price variance/i.test(m.text ?? ""));
    expect(variances).toHaveLength(1);
  }, 60_000);

  it("serves /metrics and /readyz beside Bolt on the web instance", async () => {
    const metrics = await (await fetch(`${stack.app.url}/metrics`)).text();
    expect(metrics).toContain("cloudsuite_queue_depth");
    const ready = await fetch(`${stack.app.url}/readyz`);
    expect([200, 503]).toContain(ready.status);
    const body = (await ready.json()) as { checks: Record<string, unknown> };
    expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(["redis", "slack", "ion"]));
  });
});

describe("BOD webhook on the web instance", () => {
  const bod = () =>
    readFileSync(
      new URL("../ops/fixtures/sync-supplier-invoice.xml", import.meta.url),
      "utf8",
    ).replaceAll("ACME_TST", stack.sim.tenant);

  it("refuses an unsigned BOD", async () => {
    const res = await fetch(`${stack.app.url}/ion/bod`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: bod(),
    });
    expect(res.status).toBe(401);
  });

  it("takes a signed SyncSupplierInvoice and polls its key at once", async () => {
    const body = bod();
    const res = await fetch(`${stack.app.url}/ion/bod`, {
      method: "POST",
      headers: { "content-type": "application/xml", "x-bod-signature": signBody(BOD_SECRET, body) },
      body,
    });
    expect(res.status).toBe(202);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await eventually(
        async () => {
          const found = await redis.keys(`${stack.prefix}bull:sync-polls:bod-*`);
          return found.length > 0 ? found : undefined;
        },
        10_000,
        "the poll job the BOD triggered",
      );
      expect(keys.some((k) => k.includes("supplier_invoice"))).toBe(true);
    } finally {
      await redis.quit();
    }
  });
});
