import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/alerts/alert.ts";
import type { InforSide } from "../../src/app/infor.ts";
import { createSyncSide } from "../../src/app/sync.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import type { Delivery } from "../../src/delivery/delivery.ts";
import type { SourceWarning } from "../../src/infor/m3/column-catalog.ts";

const YAML = `
version: 1
channels:
  ap: C0APGENERAL
  ops: C0FINOPS01
defaultChannel: ap
opsChannel: ops
tenants:
  - id: ACME_PRD
    companies:
      - company: 100
        divisions: [AAA]
        schedules:
          purchase_order: { every: 5m }
`;

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const redis = new Redis(url, { maxRetriesPerRequest: null });
afterAll(async () => {
  await redis.quit();
});

describe("M3 access warnings in the app", () => {
  it("a dropped-columns warning from an M3 source becomes one ops alert naming the columns", async () => {
    const parsed = parseRouting(YAML);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    let listener: ((w: SourceWarning) => void) | undefined;
    const infor = {
      onSourceWarning: (l: (w: SourceWarning) => void) => {
        listener = l;
      },
      sourceFor: () => {
        throw new Error("not used");
      },
    } as unknown as InforSide;
    const enqueued: Alert[] = [];
    const delivery = {
      enqueue: async (a: Alert) => {
        enqueued.push(a);
      },
      audit: { append: async () => "1-0" },
    } as unknown as Delivery;
    const side = createSyncSide({
      redis,
      bullConnection: redis,
      prefix: `test:m3warn:${process.pid}:${Date.now()}:`,
      routing: parsed.config,
      infor,
      delivery,
      logger: pino({ level: "silent" }),
    });
    try {
      listener?.({
        code: "m3_columns_dropped",
        tenant: "ACME_PRD",
        company: "100",
        table: "MPHEAD",
        columns: ["IACHID"],
        message: "M3 table MPHEAD in company 100 does not offer optional column IACHID; …",
      });
      await new Promise((r) => setImmediate(r));
      expect(enqueued).toHaveLength(1);
      expect(enqueued[0]).toMatchObject({
        kind: "ops",
        channel: "C0FINOPS01",
        ops: { code: "m3_columns_dropped" },
      });
      expect(JSON.stringify(enqueued[0]?.ops)).toContain("IACHID");
    } finally {
      await side.queue.close();
    }
  });
});
