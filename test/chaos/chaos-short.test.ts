import { describe, expect, it } from "vitest";
import { failures } from "../../bench/chaos/compare.ts";
import { FOLLOW_UP_EVERY } from "../../bench/chaos/inject.ts";
import { SHORT } from "../../bench/chaos/options.ts";
import { formatReport } from "../../bench/chaos/report.ts";
import { runChaos } from "../../bench/chaos/run.ts";
import { webhookFailures } from "../../bench/chaos/webhook-ledger.ts";
import { redisServerAvailable } from "../../sandbox/support/redis-server.ts";

/**
 * The short chaos run of `npm test`: 1,000 invoices from the ION simulator to the Slack emulator
 * through the composed app (a scheduler and two worker processes) while one worker is SIGKILLed,
 * the private Redis restarts, Slack answers 500 to 5 % of posts and drops 1 % after storing them,
 * the gateway throttles once and the ION tokens expire early; one invoice in ten is changed
 * again once in Slack (a new amount, or a rejection). Every alert of the ledger must arrive once.
 * Usually 60-90 s on two cores (turning records into alerts is the slow part, not Slack); a worker
 * killed in the middle of a poll holds that poll's lock for its 60 s TTL, so the bound is higher. Needs `redis-server` (the chaos suite restarts its own Redis).
 */
describe("chaos (short)", () => {
  it.skipIf(!redisServerAvailable())(
    "delivers every record exactly once through kills, Redis restarts and Slack/ION faults",
    async () => {
      const r = await runChaos(SHORT);
      const table = formatReport(r);
      expect(r.finished, table).toBe("complete");
      // Every expected alert accounted for, per kind: nothing lost, duplicated (by alert id,
      // across kinds, by content), misrouted, out of order, unexpected or without its audit
      // entries, and delivery's queue drained before the workers stopped.
      expect(failures(r.counts), table).toEqual([]);
      expect(r.counts.drained, table).toBe(true);
      const wellFormed = SHORT.records - SHORT.records / 250;
      const followUps = (SHORT.records / FOLLOW_UP_EVERY) * 2;
      const k = r.counts.perKind;
      expect(k["record.new"], table).toMatchObject({ expected: wellFormed, delivered: wellFormed });
      expect(k["exception.opened"], table).toMatchObject({
        expected: wellFormed,
        delivered: wellFormed,
      });
      expect(k["record.updated"], table).toMatchObject({
        expected: followUps,
        delivered: followUps,
      });
      expect(k["exception.changed"].delivered + k["exception.resolved"].delivered, table).toBe(
        followUps,
      );
      for (const t of Object.values(k)) expect(t.delivered, table).toBe(t.expected);
      // Every 250th invoice carries a currency the schema refuses: quarantined, not posted.
      expect(r.counts.quarantined, table).toBe(SHORT.records / 250);
      expect(r.secretsFound, table).toBe(0);
      // The signed webhook of the mirrored routes: every mirrored alert once at the receiver.
      expect(webhookFailures(r.webhook), table).toEqual([]);
      expect(r.webhook.expected, table).toBeGreaterThan(0);
      // The faults really happened.
      expect(r.fired.workerKills, table).toBe(SHORT.workerKills);
      expect(r.fired.redisRestarts, table).toBe(SHORT.redisRestarts);
      expect(r.fired.slack500, table).toBeGreaterThan(0);
    },
    300_000,
  );
});
