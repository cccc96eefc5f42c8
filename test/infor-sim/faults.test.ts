import { describe, expect, it } from "vitest";
import { caller, passwordGrant, simPerTest, v2 } from "./helpers.ts";

const startSim = simPerTest();

const PATH = v2("CRS620MI", "LstSuppliers", "?maxrecs=2");

describe("infor-sim fault injection", () => {
  it("status5xx for the next N requests, then normal service", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.addFault({ mode: "status5xx", count: 2, status: 504 });
    expect((await api.get(PATH)).status).toBe(504);
    expect((await api.get(PATH)).status).toBe(504);
    expect((await api.get(PATH)).status).toBe(200);
    expect(sim.control.counters().faults.status5xx).toBe(2);
    expect(sim.control.faults()).toEqual([]);
  });

  it("htmlError serves an HTML page instead of JSON", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.addFault({ mode: "htmlError", count: 1 });
    const res = await api.get(PATH);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("<html>");
  });

  it("malformedJson sends a 200 whose JSON does not parse", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.addFault({ mode: "malformedJson", count: 1 });
    const res = await api.get(PATH);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it("truncated sends half the promised body, then drops the connection", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.addFault({ mode: "truncated", count: 1 });
    await expect(api.get(PATH).then((res) => res.text())).rejects.toThrow();
    expect((await api.get(PATH)).status).toBe(200);
  });

  it("reset destroys the connection before any reply", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.addFault({ mode: "reset", count: 1 });
    await expect(api.get(PATH)).rejects.toThrow();
    expect(sim.control.log().at(-1)).toMatchObject({ status: 0, fault: "reset" });
  });

  it("latency delays replies", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.addFault({ mode: "latency", count: 1, latencyMs: 150 });
    const started = performance.now();
    expect((await api.get(PATH)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("a rate of 1 hits every request until cleared, and token scope hits only the token endpoint", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    sim.control.addFault({ mode: "status5xx", rate: 1 });
    expect((await api.get(PATH)).status).toBe(503);
    expect((await api.get(PATH)).status).toBe(503);
    sim.control.clearFaults();
    sim.control.addFault({ mode: "status5xx", rate: 1, scope: "token" });
    expect((await api.get(PATH)).status).toBe(200);
    expect((await passwordGrant(sim)).status).toBe(503);
  });

  it("is driven over HTTP under /_sim/ too", async () => {
    const sim = await startSim();
    const api = await caller(sim);
    const add = await fetch(`${sim.url}/_sim/faults`, {
      method: "POST",
      body: JSON.stringify({ mode: "status5xx", count: 1 }),
    });
    expect(add.status).toBe(200);
    expect((await api.get(PATH)).status).toBe(503);
    const counters = (await (await fetch(`${sim.url}/_sim/counters`)).json()) as {
      faults: Record<string, number>;
    };
    expect(counters.faults.status5xx).toBe(1);
  });
});
