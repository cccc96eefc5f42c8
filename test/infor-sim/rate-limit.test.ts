import { describe, expect, it } from "vitest";
import { caller, simPerTest, v2 } from "./helpers.ts";

const startSim = simPerTest();

describe("infor-sim requests-per-minute limit", () => {
  it("answers 429 beyond the per-tenant limit, without Retry-After by default, and counts it", async () => {
    const sim = await startSim({ requestsPerMinute: 5 });
    const api = await caller(sim);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await api.get(v2("CRS620MI", "LstSuppliers", "?maxrecs=1"))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const res = await api.get(v2("CRS620MI", "LstSuppliers"));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBeNull();
    expect(sim.control.counters().status429).toBe(3);
    expect(sim.control.counters().apiRequests).toBe(5);
    sim.control.advanceClock(60);
    expect((await api.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(200);
  });

  it("sends Retry-After when configured and applies a limit changed at run time", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.configure({ requestsPerMinute: 1, retryAfterSeconds: 7 });
    expect((await api.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(200);
    const res = await api.get(v2("CRS620MI", "LstSuppliers"));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
  });

  it("smooths: calls beyond the smoothing count are delayed, not refused", async () => {
    const sim = await startSim({ smoothingAfterCount: 2, smoothingDelayMs: 120 });
    const api = await caller(sim);
    await api.get(v2("CRS620MI", "LstSuppliers"));
    await api.get(v2("CRS620MI", "LstSuppliers"));
    const started = performance.now();
    expect((await api.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    expect(sim.control.counters().smoothed).toBe(1);
  });

  it("counts each tenant separately and does not count token calls", async () => {
    const sim = await startSim({ tenants: ["ONE_TST", "TWO_TST"], requestsPerMinute: 2 });
    const one = await caller(sim, "ONE_TST");
    const two = await caller(sim, "TWO_TST");
    await caller(sim, "ONE_TST");
    expect((await one.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(200);
    expect((await one.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(200);
    expect((await one.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(429);
    expect((await two.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(200);
  });
});
