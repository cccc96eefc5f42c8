import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { MiBusinessError, MiPartialResultError } from "../../src/infor/errors.ts";
import { sim, simClient } from "./sim-helpers.ts";

/** The client and the simulator agree on the public shapes, over real HTTP. */
let s: InforSim;
beforeAll(async () => {
  s = await sim();
});
afterAll(async () => {
  await s.close();
});

describe.each(["v1", "v2"] as const)("MI %s against the simulator", (version) => {
  it("reads a list (string wasTerminated, numeric RowIndex, unpadded values)", async () => {
    const c = simClient(s, { miVersion: version });
    const r = await c.mi.execute("CRS620MI", "LstSuppliers", {}, { maxrecs: 3 });
    expect(r.records).toHaveLength(3);
    expect(r.records[0]?.SUNO).toMatch(/^\S+$/);
    await c.close();
  });

  it("a list cut short by an error is a partial failure carrying the rows read", async () => {
    s.control.addFault({ mode: "partialNok", count: 1, afterRows: 2 });
    const c = simClient(s, { miVersion: version, retry: { maxAttempts: 1 } });
    const err = await c.mi
      .execute("CRS620MI", "LstSuppliers", {}, { maxrecs: 5 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MiPartialResultError);
    expect((err as MiPartialResultError).partialRecords).toHaveLength(2);
    expect(err).toMatchObject({ errorCode: "CPF9898", field: "RCNT" });
    await c.close();
  });

  it("a missing mandatory input is a business error with its @type, answered once", async () => {
    const c = simClient(s, { miVersion: version });
    const before = s.control.counters().apiRequests;
    const err = await c.mi.execute("CRS620MI", "GetBasicData", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MiBusinessError);
    expect(err).toMatchObject({ errorType: "MandatoryInputFieldNotFound", field: "SUNO" });
    expect(s.control.counters().apiRequests - before).toBe(1); // not retried as malformed
    await c.close();
  });
});
