import { describe, expect, it } from "vitest";
import { parseBookmark } from "../../sandbox/infor-sim/ido/bookmark.ts";
import { simPerFile } from "./helpers.ts";

interface IdoBody {
  Items: Array<Record<string, string>> | Array<Array<{ Name: string; Value: string }>> | null;
  Bookmark: string | null;
  MoreRowsExist: boolean;
  Success: boolean;
  Message: string | null;
}

const CONFIG = { "X-Infor-MongooseConfig": "SIM_SITE" };
const file = simPerFile();

const load = (ido: string, query: string, headers: Record<string, string> = CONFIG) =>
  file.api.json<IdoBody>(`CSI/IDORequestService/ido/load/${ido}?${query}`, headers);

describe("infor-sim SyteLine IDO load", () => {
  it("requires the X-Infor-MongooseConfig header", async () => {
    expect((await load("SLVendors", "", {})).status).toBe(400);
  });

  it("returns flat items with _ItemId, a bookmark and MoreRowsExist", async () => {
    const { status, body } = await load("SLVendors", "properties=VendNum,Name&recordcap=3");
    expect(status).toBe(200);
    expect(body.Success).toBe(true);
    expect(body.MoreRowsExist).toBe(true);
    const items = body.Items as Array<Record<string, string>>;
    expect(items).toHaveLength(3);
    expect(Object.keys(items[0] ?? {})).toEqual(["VendNum", "Name", "_ItemId"]);
    expect(items[0]?.VendNum).toMatch(/^\d{7}$/);
    const mark = parseBookmark(body.Bookmark ?? "");
    expect(mark?.props).toEqual(["VendNum"]);
    expect(mark?.last).toEqual([items[2]?.VendNum]);
  });

  it("pages with loadtype=NEXT and the bookmark over every row exactly once", async () => {
    const all = (await load("SLPoItems", "properties=PoNum,PoLine&recordcap=0")).body
      .Items as Array<Record<string, string>>;
    const seen: string[] = [];
    let query = "properties=PoNum,PoLine&recordcap=4";
    for (let guard = 0; guard < 100; guard++) {
      const { body } = await load("SLPoItems", query);
      seen.push(
        ...(body.Items as Array<Record<string, string>>).map((i) => `${i.PoNum}/${i.PoLine}`),
      );
      if (!body.MoreRowsExist) break;
      query = `properties=PoNum,PoLine&recordcap=4&loadtype=NEXT&bookmark=${encodeURIComponent(body.Bookmark ?? "")}`;
    }
    expect(seen).toEqual(all.map((i) => `${i.PoNum}/${i.PoLine}`));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("loads the last page and the page before a bookmark with LAST and PREV", async () => {
    const all = (
      (await load("SLVendors", "properties=VendNum&recordcap=0")).body.Items as Array<
        Record<string, string>
      >
    ).map((i) => i.VendNum);
    const last = await load("SLVendors", "properties=VendNum&recordcap=3&loadtype=LAST");
    expect((last.body.Items as Array<Record<string, string>>).map((i) => i.VendNum)).toEqual(
      all.slice(-3),
    );
    const prev = await load(
      "SLVendors",
      `properties=VendNum&recordcap=3&loadtype=PREV&bookmark=${encodeURIComponent(last.body.Bookmark ?? "")}`,
    );
    expect((prev.body.Items as Array<Record<string, string>>).map((i) => i.VendNum)).toEqual(
      all.slice(-6, -3),
    );
    const stale = await load(
      "SLVendors",
      `properties=VendNum&orderby=Name&loadtype=NEXT&bookmark=${encodeURIComponent(last.body.Bookmark ?? "")}`,
    );
    expect(stale.body).toMatchObject({ Success: false, Message: "Invalid bookmark" });
  });

  it("serves the older Name/Value item format on request", async () => {
    const { body } = await load("SLVchHdrs", "properties=Voucher,InvAmt&recordcap=1", {
      ...CONFIG,
      "X-Sim-Item-Format": "namevalue",
    });
    const item = (body.Items as Array<Array<{ Name: string; Value: string }>>)[0] ?? [];
    expect(item.map((p) => p.Name)).toEqual(["Voucher", "InvAmt", "_ItemId"]);
    expect(item[1]?.Value).toMatch(/^-?\d+\.\d{8}$/);
  });

  it("filters with N'' literals, dates and numbers joined by AND, and orders by a property", async () => {
    const vendors = (await load("SLVendors", "properties=VendNum,RecordDate&recordcap=0")).body
      .Items as Array<Record<string, string>>;
    const target = vendors[2]?.VendNum ?? "";
    const one = await load(
      "SLVendors",
      `properties=VendNum&filter=${encodeURIComponent(`VendNum = N'${target}'`)}`,
    );
    expect((one.body.Items as Array<Record<string, string>>).map((i) => i.VendNum)).toEqual([
      target,
    ]);
    const recent = await load(
      "SLVchHdrs",
      `properties=Voucher,RecordDate,InvAmt&recordcap=0&filter=${encodeURIComponent("RecordDate >= '2026-11-20' AND InvAmt > 1000")}&orderby=${encodeURIComponent("RecordDate DESC")}`,
    );
    const items = recent.body.Items as Array<Record<string, string>>;
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) {
      expect((i.RecordDate ?? "") >= "20261120").toBe(true);
      expect(Number(i.InvAmt)).toBeGreaterThan(1000);
    }
    const dates = items.map((i) => i.RecordDate ?? "");
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it("reports a bad filter or property with Success false", async () => {
    const bad = await load("SLVendors", `filter=${encodeURIComponent("VendNum LIKE '1%'")}`);
    expect(bad.body.Success).toBe(false);
    expect(bad.body.Message).toContain("IllegalFilterException");
    const prop = await load("SLVendors", "properties=Nope");
    expect(prop.body.Success).toBe(false);
    const ido = await load("SLNoSuchThing", "");
    expect(ido.body.Success).toBe(false);
  });
});
