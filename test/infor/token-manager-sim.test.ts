import { afterEach, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import { TokenManager } from "../../src/infor/token-manager.ts";
import { FakeClock } from "./helpers.ts";
import { sim } from "./sim-helpers.ts";

let running: InforSim | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("TokenManager against the ION simulator", () => {
  it("keeps the rolled refresh token: two refreshes in a row, one password grant", async () => {
    running = await sim({ tokenLifetimeSeconds: 3600, rollingRefreshTokens: true });
    const clock = new FakeClock();
    const tm = new TokenManager({ credentials: parseIonapi(running.ionapi), clock });
    const first = await tm.getToken();
    const expiry = () => tm.expiresAt?.getTime() ?? 0;
    const firstExpiry = expiry();
    clock.advance(3300_000); // past the proactive refresh point (55 min of 60)
    const second = await tm.getToken(); // serves the old token, refreshes behind it
    expect(second).toBe(first);
    // The refresh runs behind the served token: wait until its token is stored (a later expiry),
    // however busy the machine, before the clock moves on.
    await expect.poll(expiry, { timeout: 10_000, interval: 10 }).toBeGreaterThan(firstExpiry);
    const secondExpiry = expiry();
    clock.advance(3300_000);
    await tm.getToken();
    await expect.poll(expiry, { timeout: 10_000, interval: 10 }).toBeGreaterThan(secondExpiry);
    expect(tm.stats).toMatchObject({ passwordGrants: 1, refreshes: 2, rejected: 0 });
    expect(running.control.counters()).toMatchObject({ refreshes: 2, invalidGrants: 0 });
    await tm.revoke();
  });

  it("skips the revoke at shutdown when the file has no `or`", async () => {
    running = await sim();
    const { or: _or, ...file } = running.ionapi;
    const tm = new TokenManager({ credentials: parseIonapi(file) });
    await tm.getToken();
    await tm.revoke();
    expect(running.control.counters().revokes).toBe(0);
    const withOr = new TokenManager({ credentials: parseIonapi(running.ionapi) });
    await withOr.getToken();
    await withOr.revoke();
    expect(running.control.counters().revokes).toBe(1);
  });
});
