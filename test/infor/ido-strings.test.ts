import { describe, expect, it } from "vitest";
import { IdoBusinessError, MalformedResponseError } from "../../src/infor/errors.ts";
import type { InforResponse } from "../../src/infor/http/client.ts";
import { IdoClient, parseIdoLoad } from "../../src/infor/ido/ido-client.ts";

function res(body: unknown): InforResponse {
  return {
    status: 200,
    headers: {},
    text: JSON.stringify(body),
    requestId: "r1",
    url: "https://x",
  };
}

const page = (extra: Record<string, unknown>) => ({
  Items: [{ VendNum: "0000001", Name: "Acme" }],
  Bookmark: "<B><P><p>VendNum</p></P><L><v>0000001</v></L></B>",
  Message: null,
  ...extra,
});

describe("IDO answers with string flags and codes", () => {
  it('MoreRowsExist "true" means more pages; "false" means none', () => {
    expect(
      parseIdoLoad(res(page({ MoreRowsExist: "true", Success: "true" })), "SLVendors", []),
    ).toMatchObject({ moreRowsExist: true });
    expect(
      parseIdoLoad(res(page({ MoreRowsExist: "false", Success: "true" })), "SLVendors", []),
    ).toMatchObject({ moreRowsExist: false });
  });

  it('Success "false" is a business error, not an empty page', () => {
    expect(() =>
      parseIdoLoad(
        res({ Items: [], Success: "false", Message: "IllegalFilterException" }),
        "X",
        [],
      ),
    ).toThrow(IdoBusinessError);
  });

  it('a non-zero MessageCode given as a string ("250") fails the page and is named', () => {
    const e = (() => {
      try {
        parseIdoLoad(res(page({ MessageCode: "250", Message: "Load failed" })), "SLPOs", []);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(IdoBusinessError);
    expect((e as Error).message).toBe("SLPOs: Load failed (MessageCode 250)");
    expect(parseIdoLoad(res(page({ MessageCode: "0" })), "SLPOs", []).items).toHaveLength(1);
  });

  it("a flag that is neither boolean nor true/false is malformed", () => {
    expect(() => parseIdoLoad(res(page({ MoreRowsExist: "yes" })), "X", [])).toThrow(
      MalformedResponseError,
    );
  });

  it('pages on through MoreRowsExist "true" (it stopped after page 1)', async () => {
    const bookmarks: (string | undefined)[] = [];
    const http = {
      sendParsed: async (
        req: { query: Record<string, unknown> },
        parse: (r: InforResponse) => unknown,
      ) => {
        const bm = req.query.bookmark as string | undefined;
        bookmarks.push(bm);
        const n = bookmarks.length;
        return parse(
          res({
            Items: [{ VendNum: String(n) }],
            Bookmark: `<B><L><v>${n}</v></L></B>`,
            MoreRowsExist: n < 3 ? "true" : "false",
            Success: "true",
          }),
        );
      },
    };
    const ido = new IdoClient(http as never, "SITE");
    const got: string[] = [];
    for await (const items of ido.load("SLVendors", { properties: ["VendNum"] }))
      got.push(...items.map((i) => i.VendNum ?? ""));
    expect(got).toEqual(["1", "2", "3"]);
    expect(bookmarks[0]).toBeUndefined();
    expect(bookmarks[2]).toBe("<B><L><v>2</v></L></B>");
  });
});

describe("IDO voucher flags", () => {
  it('reads PreRegister/InWorkflow given as "true"/"false" as well as 1/0', async () => {
    const { vchStatus } = await import("../../src/infor/mapping/ido-mappers.ts");
    expect(vchStatus({ PreRegister: "true", InWorkflow: "false" })).toBe("entry");
    expect(vchStatus({ PreRegister: "false", InWorkflow: "true" })).toBe("approval");
    expect(vchStatus({ PreRegister: "0", InWorkflow: "1" })).toBe("approval");
    expect(vchStatus({ PreRegister: "false", InWorkflow: "false" })).toBe("posted");
  });
});

describe("IDO paging against the simulator answering in strings", () => {
  it('reads every page when Success/MoreRowsExist come as "true"/"false"', async () => {
    const { sim, simClient } = await import("./sim-helpers.ts");
    const { createSyteLineSource } = await import("../../src/infor/ido-source.ts");
    const s = await sim();
    try {
      const client = simClient(s, { mongooseConfig: "SIMCO_TST_SITE" });
      const src = createSyteLineSource(client.ido, { tenant: s.tenant, site: "SITE1" });
      const read = async () => {
        const keys: string[] = [];
        for await (const b of src.listChanged("supplier_invoice", "2020-01-01", { pageSize: 7 }))
          keys.push(...b.records.map((r) => JSON.stringify(r)));
        return keys;
      };
      const typed = await read();
      s.control.configure({ idoStringScalars: true });
      const strings = await read();
      expect(typed.length).toBeGreaterThan(7);
      expect(strings).toEqual(typed);
      await client.close();
    } finally {
      await s.close();
    }
  });
});
