import { describe, expect, it } from "vitest";
import { records, simPerFile, type V2Body, v2 } from "./helpers.ts";

/** Strict mode: a tenant without some optional columns whose account is refused some tables. */
const strict = simPerFile({ strict: true });
const open = simPerFile();

const select = (api: typeof strict.api, qery: string) =>
  api.json<V2Body>(v2("EXPORTMI", "Select", `?maxrecs=1&SEPC=;&QERY=${encodeURIComponent(qery)}`));

describe("infor-sim strict mode", () => {
  it("a column the tenant lacks is an M3 business error naming the column", async () => {
    const { status, body } = await select(strict.api, "IDSUNO, IDCHID from CIDMAS");
    expect(status).toBe(400);
    expect(body.results[0]?.errorMessage).toBe("Field IDCHID does not exist in CIDMAS");
    expect(body.results[0]?.errorField).toBe("QERY");
    // The open sim has the column.
    expect((await select(open.api, "IDSUNO, IDCHID from CIDMAS")).status).toBe(200);
  });

  it("EXPORTMI on a refused table is refused; its MI list transaction still answers", async () => {
    const refused = await select(strict.api, "IISUNO from CIDVEN");
    expect(refused.status).toBe(400);
    expect(refused.body.results[0]?.errorMessage).toContain("not authorized to table CIDVEN");
    expect(refused.body.results[0]?.errorType).toBe("ServerReturnedNOK");
    const list = await strict.api.json<V2Body>(v2("CRS620MI", "LstSuppliers", "?maxrecs=2"));
    expect(list.status).toBe(200);
    expect(records(list.body)).toHaveLength(2);
  });

  it("a division filter needs a session on the blank division (Infor's EXPORTMI notes)", async () => {
    const q = encodeURIComponent("E5INBN from FAPIBH where E5DIVI = 'AAA'");
    const onDivision = await strict.api.json<V2Body>(
      v2("EXPORTMI", "Select", `?divi=AAA&maxrecs=1&SEPC=;&QERY=${q}`),
    );
    expect(onDivision.status).toBe(400);
    expect(onDivision.body.results[0]?.errorMessage).toContain("blank division");
    const blank = await strict.api.json<V2Body>(
      v2("EXPORTMI", "Select", `?divi=&maxrecs=1&SEPC=;&QERY=${q}`),
    );
    expect(blank.status).toBe(200);
    expect(records(blank.body)).toHaveLength(1);
  });

  it("EXPORTMI/LstFields is refused; in the open sim it lists the columns", async () => {
    const r = await strict.api.json<V2Body>(v2("EXPORTMI", "LstFields", "?FILE=CIDMAS"));
    expect(r.status).toBe(400);
    expect(r.body.results[0]?.errorMessage).toContain("EXPORTMI/LstFields");
    const o = await open.api.json<V2Body>(v2("EXPORTMI", "LstFields", "?FILE=CIDMAS"));
    expect(records(o.body).map((x) => x.FLDN)).toContain("IDCHID");
  });
});
