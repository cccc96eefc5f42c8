import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { exportSelect } from "../../src/infor/m3/exportmi.ts";
import { query, type TableName } from "../../src/infor/m3/tables.ts";
import { sim, simClient } from "./sim-helpers.ts";

/**
 * Key continuation must follow each table's primary order: a page that ends at a division
 * boundary (finance tables are ordered CONO, DIVI, …) or inside a PO line with several receipts
 * (MPLIND) must not skip the rows that follow. Small pages make every boundary a page end.
 */
let s: InforSim;
beforeAll(async () => {
  s = await sim({ data: { invoices: 120, purchaseOrders: 40 } });
});
afterAll(async () => {
  await s.close();
});

async function readAll(table: TableName, pageSize: number): Promise<string[]> {
  const client = simClient(s, { division: "" });
  const rows: string[] = [];
  try {
    for await (const page of exportSelect(client.mi, query(table, []), { pageSize })) {
      rows.push(...page.map((r) => JSON.stringify(r)));
    }
  } finally {
    await client.close();
  }
  return rows;
}

describe("EXPORTMI paging keys", () => {
  it.each(["FAPIBH", "FAPIBL", "FPLEDG", "FGLEDG", "MPLIND"] as const)(
    "%s read in pages of 3 equals one big read, across every division",
    async (table) => {
      const whole = await readAll(table, 10_000);
      const paged = await readAll(table, 3);
      expect(whole.length).toBeGreaterThan(6);
      expect(paged).toEqual(whole);
    },
  );
});
