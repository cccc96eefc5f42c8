import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ErpDecision, ErpRoute } from "../../src/approvals/erp-types.ts";
import { createErpWriter } from "../../src/approvals/erp-write-back.ts";
import type { Approval } from "../../src/approvals/types.ts";

const prefix = `test:erp-wb-bounds:${randomBytes(4).toString("hex")}:`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const approval: Approval = {
  id: `apv_bounds_${randomBytes(3).toString("hex")}`,
  alertId: "a1",
  recordKey: "supplier_invoice:T:100:AAA:1001",
  kind: "invoice",
  title: "Invoice F1",
  amount: { amount: "10.00", currency: "EUR" },
  costCenter: "1100",
  tenant: "T",
  company: "100",
  recordVersion: "v1",
  state: "pending",
  createdAt: new Date().toISOString(),
} as Approval;

/** A route M3 cannot be read through (like APS110MI) that always answers "already decided". */
function stubbornRoute(): ErpRoute & { applied: number } {
  const r = {
    name: "APS110MI",
    applied: 0,
    unsupported: () => undefined,
    describe: () => ({ program: "APS110MI", transaction: "ApproveInvoice", inputs: {} }),
    state: async () => {
      throw Object.assign(new Error("no read"), { code: "no_read" });
    },
    apply: async () => {
      r.applied++;
      throw Object.assign(new Error("already"), { code: "already" });
    },
    refusal: () => ({ code: "already_decided", message: "Invoice already approved" }),
    ambiguous: () => false,
  };
  return r;
}

describe("ERP write-back bounds", () => {
  it("stops when M3 cannot be read and keeps answering 'already decided' to a spent intent", async () => {
    const route = stubbornRoute();
    const writer = createErpWriter({
      redis,
      prefix,
      modeFor: () => "on",
      adapterFor: () => ({ routeFor: async () => ({ ok: true, route }) }),
      logger: pino({ level: "silent" }),
      maxAttempts: 2,
    });
    // An earlier decision of another verb was written after using up its attempts.
    await redis.hset(`${prefix}erp-intent:${approval.id}`, {
      verb: "approve",
      actor: "U1",
      reason: "",
      line: "",
      route: "APS110MI",
      status: "written",
      attempts: "2",
    });
    const d: ErpDecision = { approval, verb: "reject", actor: "U2", reason: "wrong price" };
    const outcome = await Promise.race([
      writer.write(d),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 3_000)),
    ]);
    expect(outcome).not.toBe("hung");
    expect(outcome).toMatchObject({ status: "unknown" });
    expect(route.applied).toBeLessThanOrEqual(2);
  });
});
