import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { isReflectable } from "../../src/approvals/erp-due.ts";
import type { InforClient } from "../../src/infor/create-client.ts";
import type { Entity } from "../../src/infor/records.ts";
import { eventsOf, readM3Event, targetsOfM3Event } from "../../src/ops/push/m3-event.ts";
import type { SyncDeps } from "../../src/sync/deps.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { runTargetedRead } from "../../src/sync/targeted.ts";
import { fileRedis, type RecordingSink } from "../sync/helpers.ts";
import { startSimSync } from "../sync/sim-sync.ts";

/**
 * Each M3 table's event → the push read of that one record gives the content the poll reads:
 * after the push has alerted, the poll of the same window finds every record unchanged (no
 * second alert). The events come from the simulator's Event Subscriber web service over HTTP;
 * the reads go through the real Infor client against the simulator, open and strict.
 */
describe.each([{ strict: false }, { strict: true }])(
  "push reads (strict: $strict)",
  ({ strict }) => {
    const { redis, prefix } = fileRedis(`push-targeted-${strict ? "strict" : "open"}`);
    let sim: InforSim;
    let client: InforClient;
    let sink: RecordingSink;
    let deps: SyncDeps;
    let receiver: Server;
    const received: unknown[] = [];
    let receivedTotal = 0;

    beforeAll(async () => {
      ({ sim, client, sink, deps } = await startSimSync(redis, prefix, strict));
      receiver = createServer((req, res) => {
        const parts: Buffer[] = [];
        req.on("data", (c: Buffer) => parts.push(c));
        req.on("end", () => {
          received.push(JSON.parse(Buffer.concat(parts).toString("utf8")));
          receivedTotal++;
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
      const port = (receiver.address() as AddressInfo).port;
      sim.control.configureEvents({ url: `http://127.0.0.1:${port}/m3/events` });
    });

    afterAll(async () => {
      sim?.control.configureEvents({ url: "" });
      await new Promise((r) => receiver?.close(r));
      await client?.close();
      await sim?.close();
    });

    const schedule = (entity: Entity) => ({
      tenant: sim.tenant,
      company: "100",
      division: "AAA",
      entity,
      everyMs: 60_000,
      pageSize: 50,
    });

    /** Waits for the events of the last changes, then maps them as the endpoint does. */
    async function targets() {
      const until = Date.now() + 5000;
      const want = sim.control.eventCounters().emitted;
      while (receivedTotal < want && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      const events = received.splice(0).flatMap((b) => eventsOf(b) ?? []);
      return events.flatMap((raw, i) => {
        const read = readM3Event(raw, i);
        if (!read.ok) throw new Error(read.reason);
        const mapped = targetsOfM3Event(read.event);
        return mapped.kind === "targets" ? mapped.targets : [];
      });
    }

    async function pushThenPoll(entity: Entity, change: () => void) {
      const primed = await runPoll(deps, { schedule: schedule(entity) });
      expect(primed.status).not.toBe("skipped_busy");
      received.length = 0;
      const before = sink.events().length;
      change();
      const mine = (await targets()).filter((t) => t.target.entity === entity);
      expect(mine.length, `events naming a ${entity}`).toBeGreaterThan(0);
      let changed = 0;
      for (const t of mine) {
        const r = await runTargetedRead(deps, { schedule: schedule(entity), target: t.target });
        if (r.status !== "done") throw new Error(`push read ${r.status}`);
        changed += r.counts.new + r.counts.updated;
      }
      // Suppliers are reference data (no alerts by default): the change is still detected.
      expect(changed, `changes the push of a ${entity} detected`).toBeGreaterThan(0);
      const pushed = sink.events().slice(before);
      const poll = await runPoll(deps, { schedule: schedule(entity) });
      if (poll.status === "skipped_busy") throw new Error("poll skipped");
      expect(poll.counts.new + poll.counts.updated, `poll after the push of a ${entity}`).toBe(0);
      expect(sink.duplicates).toBe(0);
      return pushed;
    }

    it("supplier invoice batch (FAPIBH, FAPIBL)", async () => {
      const supplier = sim.control.data(sim.tenant).suppliers.find((s) => s.cono === 100)?.suno;
      const pushed = await pushThenPoll("supplier_invoice", () => {
        const inv = sim.control.upsert(
          "invoice",
          { SUNO: supplier, SINO: `TGT-${strict}`, CUAM: "30.00" },
          sim.tenant,
        ) as { inbn: number };
        sim.control.upsert(
          "invoiceLine",
          { INBN: inv.inbn, TRNO: 1, IVQA: "3", GRPR: "10.00", NLAM: "30.00" },
          sim.tenant,
        );
      });
      expect(pushed.map((e) => (e.record as { invoiceNumber: string }).invoiceNumber)).toContain(
        `TGT-${strict}`,
      );
    });

    it("a decision taken in M3: its FAPIBH event → an updated invoice, due for the decided-in-M3 check", async () => {
      const supplier = sim.control.data(sim.tenant).suppliers.find((s) => s.cono === 100)?.suno;
      const inv = sim.control.upsert(
        "invoice",
        { SUNO: supplier, SINO: `M3D-${strict}`, CUAM: "40.00" },
        sim.tenant,
      ) as { inbn: number; ibtp: string; supa: string };
      // A self-billing batch, printed: the APS450MI route's pending state.
      inv.ibtp = "10";
      inv.supa = "30";
      sim.control.data(sim.tenant).version++;
      const pushed = await pushThenPoll("supplier_invoice", () => {
        sim.control.approvals.decideInM3({ inbn: inv.inbn, verb: "approve", user: "M3USER" });
      });
      const mine = pushed.filter((e) => e.recordKey.endsWith(`:${inv.inbn}`));
      expect(mine.map((e) => e.kind)).toEqual(["updated"]);
      expect(mine.every((e) => isReflectable(e))).toBe(true);
    });

    it("purchase order (MPHEAD, MPLINE, MPLIND)", async () => {
      const supplier = sim.control.data(sim.tenant).suppliers.find((s) => s.cono === 100)?.suno;
      await pushThenPoll("purchase_order", () => {
        const po = sim.control.upsert("po", { SUNO: supplier, DIVI: "AAA" }, sim.tenant) as {
          puno: string;
        };
        sim.control.upsert(
          "poLine",
          { PUNO: po.puno, PNLI: 10, ORQA: "4", PUPR: "9.90" },
          sim.tenant,
        );
        sim.control.upsert("receipt", { PUNO: po.puno, PNLI: 10, RPQA: "4" }, sim.tenant);
      });
    });

    it("supplier (CIDMAS)", async () => {
      const supplier = sim.control.data(sim.tenant).suppliers.find((s) => s.cono === 100)?.suno;
      await pushThenPoll("supplier", () => {
        sim.control.upsert("supplier", { SUNO: supplier, SUNM: `Renamed ${strict}` }, sim.tenant);
      });
    });

    it("payment and the invoice it pays (FPLEDG TRCD 50)", async () => {
      const supplier = sim.control.data(sim.tenant).suppliers.find((s) => s.cono === 100)?.suno;
      const inv = sim.control.upsert(
        "invoice",
        { SUNO: supplier, SINO: `PAY-${strict}`, CUAM: "12.00" },
        sim.tenant,
      ) as { inbn: number };
      await runPoll(deps, { schedule: schedule("supplier_invoice") });
      await pushThenPoll("payment", () => {
        sim.control.upsert("payment", { INBN: inv.inbn }, sim.tenant);
      });
    });

    it("GL voucher (FGLEDG)", async () => {
      await pushThenPoll("gl_voucher", () => {
        sim.control.upsert(
          "voucher",
          {
            DIVI: "AAA",
            lines: [
              { AIT1: "4010", ACAM: "100.00" },
              { AIT1: "2440", ACAM: "-100.00" },
            ],
          },
          sim.tenant,
        );
      });
    });

    it("a key never polled is left to its first poll", async () => {
      const r = await runTargetedRead(deps, {
        schedule: { ...schedule("account"), division: "BBB" },
        target: { entity: "supplier", id: "X" },
      }).catch((e: Error) => e.message);
      expect(r).toMatch(/cannot be read by the account key/);
      const fresh = await runTargetedRead(deps, {
        schedule: { ...schedule("supplier"), company: "200" },
        target: { entity: "supplier", id: "X" },
      });
      expect(fresh.status).toBe("not_primed");
    });
  },
);
