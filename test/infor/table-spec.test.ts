import { describe, expect, it } from "vitest";
import { query, requiredColumns, spec, TABLES } from "../../src/infor/m3/tables.ts";

describe("table specs: required and optional columns", () => {
  it("a trailing ? marks a column optional; the rest are required, keys included", () => {
    const t = spec("CIDMAS", "ID", "CONO SUNO SUNM CHID? VRNO?", [["SUNO", false]]);
    expect(t.columns).toEqual(["IDCONO", "IDSUNO", "IDSUNM", "IDCHID", "IDVRNO"]);
    expect([...t.optional]).toEqual(["IDCHID", "IDVRNO"]);
    expect(requiredColumns(t)).toEqual(["IDCONO", "IDSUNO", "IDSUNM"]);
  });

  it("refuses an optional key, a key that is not listed and a column listed twice", () => {
    expect(() => spec("MPHEAD", "IA", "PUNO? SUNO", [["PUNO", false]])).toThrow(
      "MPHEAD: key IAPUNO cannot be optional",
    );
    expect(() => spec("MPHEAD", "IA", "SUNO", [["PUNO", false]])).toThrow(
      "MPHEAD: key IAPUNO is not a listed column",
    );
    expect(() => spec("MPHEAD", "IA", "PUNO SUNO SUNO?", [["PUNO", false]])).toThrow(
      "MPHEAD: column IASUNO listed twice",
    );
  });

  it("no shipped table marks a key optional", () => {
    for (const t of Object.values(TABLES)) {
      for (const k of t.keys) expect(t.optional.has(k.col)).toBe(false);
    }
  });

  it("query leaves out the columns a tenant does not offer, never a key", () => {
    const q = query("CIDMAS", [], undefined, new Set(["IDCHID", "IDVRNO"]));
    expect(q.columns).not.toContain("IDCHID");
    expect(q.columns).not.toContain("IDVRNO");
    expect(q.columns).toContain("IDSUNO");
  });
});
