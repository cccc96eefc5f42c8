import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MiBusinessError, TransportError } from "../../src/infor/errors.ts";
import {
  ColumnCatalog,
  M3ColumnsMissingError,
  M3TableRefusedError,
  memoryStore,
  type SourceWarning,
} from "../../src/infor/m3/column-catalog.ts";
import { type ColumnProbe, detectColumns } from "../../src/infor/m3/column-detect.ts";
import { spec } from "../../src/infor/m3/tables.ts";

const T = spec("CIDMAS", "ID", "CONO SUNO SUNM STAT LMDT CHID? VRNO? CSCD?", [["SUNO", false]]);

const nok = (message: string, field = "") =>
  new MiBusinessError({ program: "EXPORTMI", transaction: "Select", message, field }, "req-1");

/**
 * A tenant as M3 answers it: `has` = the columns the table has; `refused` = Select refused;
 * `lstFields` = whether LstFields answers; `names` = whether a Select error names the column.
 */
function tenant(o: {
  has: string[];
  refused?: boolean;
  lstFields?: boolean;
  names?: boolean;
}): ColumnProbe & { selects: string[][]; lists: number } {
  const probe = {
    selects: [] as string[][],
    lists: 0,
    async listFields(table: string) {
      probe.lists++;
      if (o.lstFields === false)
        throw nok("You are not authorized to transaction EXPORTMI/LstFields");
      return table === "CIDMAS" ? o.has : [];
    },
    async select(table: string, columns: string[]) {
      probe.selects.push(columns);
      if (o.refused) throw nok(`You are not authorized to table ${table}`);
      const unknown = columns.find((c) => !o.has.includes(c));
      if (unknown) {
        throw o.names === false
          ? nok("QERY is not valid", "QERY")
          : nok(`Field ${unknown} does not exist in ${table}`, "QERY");
      }
    },
  };
  return probe;
}

const ALL = ["IDCONO", "IDSUNO", "IDSUNM", "IDSTAT", "IDLMDT", "IDCHID", "IDVRNO", "IDCSCD"];

describe("column detection", () => {
  it("LstFields answers: one list call and one confirming 1-row Select of what is offered", async () => {
    const p = tenant({ has: ALL.filter((c) => c !== "IDCHID") });
    const a = await detectColumns(p, T);
    expect(a).toMatchObject({ kind: "exportmi", missing: ["IDCHID"], method: "lstfields" });
    expect(p.lists).toBe(1);
    expect(p.selects).toHaveLength(1);
    expect(p.selects[0]).not.toContain("IDCHID");
  });

  it("LstFields refused: Select probes drop each column the error names", async () => {
    const p = tenant({
      has: ALL.filter((c) => c !== "IDCHID" && c !== "IDVRNO"),
      lstFields: false,
    });
    const a = await detectColumns(p, T);
    expect(a).toMatchObject({ kind: "exportmi", missing: ["IDCHID", "IDVRNO"], method: "probe" });
    expect(p.selects).toHaveLength(3);
  });

  it("an error that names no column is narrowed down by bisection", async () => {
    const p = tenant({
      has: ALL.filter((c) => c !== "IDVRNO" && c !== "IDSTAT"),
      lstFields: false,
      names: false,
    });
    const a = await detectColumns(p, T);
    expect(a).toMatchObject({ kind: "exportmi", method: "probe" });
    if (a.kind !== "exportmi") return;
    expect(a.missing.sort()).toEqual(["IDSTAT", "IDVRNO"]);
  });

  it("bisection finds one missing column among seven in fewer probes than one per column", async () => {
    const p = tenant({ has: ALL.filter((c) => c !== "IDCSCD"), lstFields: false, names: false });
    const a = await detectColumns(p, T);
    expect(a).toMatchObject({ kind: "exportmi", missing: ["IDCSCD"] });
    // Full set, keys alone, then halving 7 columns: 2 + 3 (one per column would be 2 + 7).
    expect(p.selects.length).toBeLessThanOrEqual(6);
  });

  it("keys alone refused: the table is refused to EXPORTMI", async () => {
    const p = tenant({ has: ALL, refused: true });
    const a = await detectColumns(p, T);
    expect(a).toMatchObject({ kind: "refused" });
    if (a.kind === "refused") expect(a.reason).toContain("not authorized to table CIDMAS");
  });

  it("a transport failure is no answer about columns: it propagates", async () => {
    const p: ColumnProbe = {
      listFields: async () => {
        throw new TransportError("socket hang up", "req-2");
      },
      select: async () => undefined,
    };
    await expect(detectColumns(p, T)).rejects.toBeInstanceOf(TransportError);
  });
});

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: false });
const prefix = `test:coldetect:${process.pid}:${Date.now()}:`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe("column catalog", () => {
  it("detects once per tenant/company/table through Redis, and warns once naming the columns", async () => {
    const p = tenant({ has: ALL.filter((c) => c !== "IDCHID") });
    const warnings: SourceWarning[] = [];
    const make = () =>
      new ColumnCatalog({
        probe: p,
        tenant: "T1",
        company: "100",
        store: redis,
        keyPrefix: prefix,
        onWarning: (w) => warnings.push(w),
      });
    const one = make();
    const [a, b] = await Promise.all([one.omitted(T, "x"), one.omitted(T, "x")]);
    expect([...a]).toEqual(["IDCHID"]);
    expect([...b]).toEqual(["IDCHID"]);
    // A second replica reads the cached detection: no probe at all.
    expect([...(await make().omitted(T, "x"))]).toEqual(["IDCHID"]);
    expect(p.lists).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: "m3_columns_dropped", columns: ["IDCHID"] });
    expect(warnings[0]?.message).toContain("IDCHID");
    expect(await redis.ttl(`${prefix}m3cols:T1:100:CIDMAS`)).toBeGreaterThan(3600);

    // After a failure the table is detected again; the same result does not warn again.
    await one.invalidate("CIDMAS");
    await one.omitted(T, "x");
    expect(p.lists).toBe(2);
    expect(warnings).toHaveLength(1);
  });

  it("a missing required column fails naming it; a refused table fails naming the table", async () => {
    const lacking = new ColumnCatalog({
      probe: tenant({ has: ALL.filter((c) => c !== "IDSTAT") }),
      tenant: "T2",
      company: "100",
    });
    const err = await lacking.omitted(T, "the supplier poll needs it").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(M3ColumnsMissingError);
    expect((err as Error).message).toContain("lacks required column IDSTAT");
    expect((err as Error).message).toContain("the supplier poll needs it");

    const refused = new ColumnCatalog({
      probe: tenant({ has: ALL, refused: true }),
      tenant: "T3",
      company: "100",
    });
    const e2 = await refused.omitted(T, "x").catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(M3TableRefusedError);
    expect((e2 as Error).message).toContain("EXPORTMI/Select on M3 table CIDMAS is refused");
  });

  it("once the missing authority is granted, the next read works without waiting for the TTL", async () => {
    const has = ALL.filter((c) => c !== "IDSTAT");
    const p = tenant({ has });
    const c = new ColumnCatalog({ probe: p, tenant: "T6", company: "100" });
    await expect(c.omitted(T, "x")).rejects.toBeInstanceOf(M3ColumnsMissingError);
    has.push("IDSTAT");
    await expect(c.omitted(T, "x")).resolves.toEqual(new Set());
  });

  it("the cache expires after its TTL", async () => {
    let now = 0;
    const p = tenant({ has: ALL });
    const c = new ColumnCatalog({
      probe: p,
      tenant: "T4",
      company: "100",
      store: memoryStore(() => now),
      ttlSeconds: 60,
    });
    await c.omitted(T, "x");
    now = 30_000;
    await c.omitted(T, "x");
    expect(p.lists).toBe(1);
    now = 61_000;
    await c.omitted(T, "x");
    expect(p.lists).toBe(2);
  });

  it("a spec that gained a column since the detection is detected again", async () => {
    const p = tenant({ has: [...ALL, "IDPHNO"] });
    const store = memoryStore();
    const o = { probe: p, tenant: "T5", company: "100", store };
    await new ColumnCatalog(o).omitted(T, "x");
    const longer = spec("CIDMAS", "ID", "CONO SUNO SUNM STAT LMDT CHID? VRNO? CSCD? PHNO?", [
      ["SUNO", false],
    ]);
    await new ColumnCatalog(o).omitted(longer, "x");
    expect(p.lists).toBe(2);
  });
});
