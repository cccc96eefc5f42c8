import { getNextMillis } from "bullmq";
import { describe, expect, it } from "vitest";
import { scheduleSchema } from "../../src/config/routing-schema.ts";
import { isFiringCron } from "../../src/shared/cron.ts";

describe("cron validation is BullMQ's own parser", () => {
  it("accepts what BullMQ fires, including its hashed H fields (another parser refused them)", () => {
    for (const pattern of ["*/5 * * * *", "30 6 * * 1-5", "H 6 * * *", "0 0 L * *", "@daily"]) {
      expect(isFiringCron(pattern), pattern).toBe(true);
      expect(getNextMillis(Date.now(), { pattern })).toBeGreaterThan(Date.now() - 1);
      expect(scheduleSchema.safeParse({ cron: pattern }).success, pattern).toBe(true);
    }
  });

  it("refuses what BullMQ cannot fire, and an empty pattern it would read as every minute", () => {
    for (const pattern of ["99 99 * * *", "0 0 31 2 *", "*/0 * * * *", "* * * * * * *", " "]) {
      expect(isFiringCron(pattern), pattern).toBe(false);
      const parsed = scheduleSchema.safeParse({ cron: pattern });
      expect(parsed.success, pattern).toBe(false);
    }
  });

  it("reads the pattern in the given time zone", () => {
    expect(isFiringCron("0 6 * * *", "Europe/Stockholm")).toBe(true);
    expect(isFiringCron("0 6 * * *", "Not/AZone")).toBe(false);
  });
});
