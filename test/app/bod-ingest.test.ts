import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodIngest } from "../../src/app/bod.ts";
import { parseRecord } from "../../src/infor/records.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const bullPrefix = `test:bod-ingest:${randomBytes(4).toString("hex")}`;
let redis: Redis;
let queue: Queue;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue("sync-polls", { connection: redis, prefix: bullPrefix });
});

afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

function supplier(id: string, company = "100") {
  const r = parseRecord({
    entity: "supplier",
    tenant: "ACME_TST",
    company,
    division: "",
    source: "m3",
    changedAt: "2026-11-30",
    id,
    name: `Supplier ${id}`,
    status: "active",
  });
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

describe("BOD ingestion", () => {
  it("turns a burst of records of one key into one immediate poll, ignores unscheduled ones", async () => {
    const ingest = bodIngest({
      queue,
      logger: pino({ level: "silent" }),
      now: () => 1_800_000_000_000,
      schedules: [
        {
          tenant: "ACME_TST",
          company: "100",
          division: "",
          entity: "supplier",
          everyMs: 3_600_000,
        },
      ],
    });
    await ingest([supplier("S1"), supplier("S2")]);
    await ingest([supplier("S3")]);
    await ingest([supplier("S9", "200")]);
    const jobs = await queue.getJobs(["waiting", "prioritized", "delayed"]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.name).toBe("poll");
    expect(jobs[0]?.data.schedule).toMatchObject({ entity: "supplier", company: "100" });
  });

  it("an M3 BOD naming the bare company polls the configured divisions of that company", async () => {
    await queue.obliterate({ force: true });
    const ingest = bodIngest({
      queue,
      logger: pino({ level: "silent" }),
      now: () => 1_800_000_100_000,
      schedules: ["AAA", "BBB"].map((division) => ({
        tenant: "ACME_TST",
        company: "100",
        division,
        entity: "purchase_order" as const,
        everyMs: 3_600_000,
      })),
    });
    // AccountingEntityID "100" (no "_DIVI"): company 100, division "".
    await ingest([{ tenant: "ACME_TST", company: "100", division: "", entity: "purchase_order" }]);
    const jobs = await queue.getJobs(["waiting", "prioritized", "delayed"]);
    expect(jobs.map((j) => j.data.schedule.division).sort()).toEqual(["AAA", "BBB"]);
    await ingest([
      { tenant: "ACME_TST", company: "100", division: "BBB", entity: "purchase_order" },
    ]);
    expect(await queue.getJobs(["waiting", "prioritized", "delayed"])).toHaveLength(2);
  });
});
