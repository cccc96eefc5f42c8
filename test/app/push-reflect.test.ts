import { describe, expect, it } from "vitest";
import { allIngests, reflectIngest } from "../../src/app/push.ts";
import { markReflectDue, reflectDueKey } from "../../src/approvals/erp-due.ts";
import type { PushTarget } from "../../src/ops/push/m3-event.ts";
import { fileRedis } from "../sync/helpers.ts";

const { redis, prefix } = fileRedis("push-reflect");

const batch = (company: string, division: string, batchNumber: string): PushTarget => ({
  company,
  division,
  target: { entity: "supplier_invoice", batchNumber },
  table: "FAPIBH",
});

describe("an M3 event about a batch, with write-back on", () => {
  it("marks that invoice due for the decided-in-M3 check at once (record key as sync builds it)", async () => {
    const ingest = reflectIngest({
      tenant: "ACME_TST",
      markDue: (recordKey) => markReflectDue(redis, prefix, recordKey),
    });
    await ingest([
      batch("100", "AAA", "1000042"),
      // Not a batch: a PO, an invoice named by supplier and number, a company-wide target.
      {
        company: "100",
        division: "AAA",
        target: { entity: "purchase_order", number: "4000001" },
        table: "MPHEAD",
      },
      {
        company: "100",
        division: "AAA",
        target: { entity: "supplier_invoice", supplierId: "S1", invoiceNumber: "I1" },
        table: "FAPIBH",
      },
      batch("100", "", "1000043"),
    ]);
    expect(await redis.zrange(reflectDueKey(prefix), "0", "-1")).toEqual([
      "supplier_invoice:ACME_TST:100:AAA:1000042",
    ]);
  });

  it("runs beside the targeted read; a failure of either answers for the request", async () => {
    const seen: string[] = [];
    const both = allIngests(
      async (t) => {
        seen.push(`mark ${t.length}`);
      },
      async (t) => {
        seen.push(`read ${t.length}`);
      },
    );
    await both([batch("100", "AAA", "1")]);
    expect(seen).toEqual(["mark 1", "read 1"]);
    const failing = allIngests(async () => {
      throw new Error("redis away");
    });
    await expect(failing([batch("100", "AAA", "1")])).rejects.toThrow("redis away");
  });
});
