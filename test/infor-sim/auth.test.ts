import { describe, expect, it } from "vitest";
import { caller, form, passwordGrant, simPerTest, tokenRequest, v2 } from "./helpers.ts";

const startSim = simPerTest();

describe("infor-sim OAuth", () => {
  it("serves an .ionapi whose pu/iu point at the sim", async () => {
    const sim = await startSim();
    expect(sim.ionapi.iu).toBe(sim.url);
    expect(sim.ionapi.pu).toBe(`${sim.url}/${sim.tenant}/as/`);
    expect(sim.ionapi.ot).toBe("token.oauth2");
    expect(sim.ionapi.or).toBe("revoke_token.oauth2");
    expect(sim.ionapi.saak.startsWith(`${sim.tenant}#`)).toBe(true);
  });

  it("serves a web-app .ionapi with the same keys in order but a redirect instead of saak/sask", async () => {
    const sim = await startSim();
    const res = await fetch(`${sim.url}/_sim/ionapi?app=web`);
    const web = (await res.json()) as Record<string, string>;
    // The gateway's order; only the middle differs (a redirect vs the service-account keys).
    const around = (middle: string[]) =>
      ["ti", "cn", "ci", "cs", "iu", "pu", "oa", "ot", "or", ...middle, "ev", "v", "dt"].join(" ");
    expect(Object.keys(web).join(" ")).toBe(around(["ru"]));
    expect(Object.keys(sim.ionapi).join(" ")).toBe(around(["saak", "sask"]));
    expect(web.ci).toBe(sim.ionapi.ci);
    expect(web.pu).toBe(sim.ionapi.pu);
    expect(web.cn).not.toBe(sim.ionapi.cn);
  });

  it("issues opaque tokens by password grant with client credentials in the form or Basic", async () => {
    const sim = await startSim({ tokenLifetimeSeconds: 3600 });
    const res = await passwordGrant(sim);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
    expect(typeof body.access_token).toBe("string");
    expect(typeof body.refresh_token).toBe("string");
    const io = sim.ionapi;
    const basic = await fetch(`${io.pu}${io.ot}`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${io.ci}:${io.cs}`).toString("base64")}` },
      body: form({ grant_type: "password", username: io.saak, password: io.sask }),
    });
    expect(basic.status).toBe(200);
    expect(sim.control.counters().signIns).toBe(2);
  });

  it("refuses wrong service-account keys with invalid_grant and a wrong client with invalid_client", async () => {
    const sim = await startSim();
    const bad = await passwordGrant(sim, sim.tenant, { password: "nope" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("invalid_grant");
    const client = await passwordGrant(sim, sim.tenant, { client_secret: "x" });
    expect(client.status).toBe(401);
    expect(((await client.json()) as { error: string }).error).toBe("invalid_client");
    expect(sim.control.counters().invalidGrants).toBe(1);
  });

  it("rolls refresh tokens: each refresh answers a new one and the old one stops working", async () => {
    const sim = await startSim();
    const io = sim.ionapi;
    const first = (await (await passwordGrant(sim)).json()) as {
      access_token: string;
      refresh_token: string;
    };
    const refresh = (token: string) =>
      tokenRequest(sim, {
        grant_type: "refresh_token",
        refresh_token: token,
        client_id: io.ci,
        client_secret: io.cs,
      });
    const refreshed = await refresh(first.refresh_token);
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { access_token: string; refresh_token: string };
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(sim.control.counters().refreshes).toBe(1);
    // The old refresh token is spent; the access token issued before the refresh lives on.
    expect((await refresh(first.refresh_token)).status).toBe(400);
    const old = await fetch(`${sim.url}/${sim.tenant}/${v2("CRS620MI", "LstSuppliers")}`, {
      headers: { authorization: `Bearer ${first.access_token}` },
    });
    expect(old.status).toBe(200);
    const revoke = await fetch(`${io.pu}${io.or}`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${io.ci}:${io.cs}`).toString("base64")}` },
      body: form({ token: second.refresh_token, token_type_hint: "refresh_token" }),
    });
    expect(revoke.status).toBe(200);
    const call = await fetch(`${sim.url}/${sim.tenant}/${v2("CRS620MI", "LstSuppliers")}`, {
      headers: { authorization: `Bearer ${second.access_token}` },
    });
    expect(call.status).toBe(401);
    expect((await refresh(second.refresh_token)).status).toBe(400);
    expect(sim.control.counters().revokes).toBe(1);
  });

  it("keeps the same refresh token when rolling is off", async () => {
    const sim = await startSim({ rollingRefreshTokens: false });
    const io = sim.ionapi;
    const first = (await (await passwordGrant(sim)).json()) as { refresh_token: string };
    const body = {
      grant_type: "refresh_token",
      refresh_token: first.refresh_token,
      client_id: io.ci,
      client_secret: io.cs,
    };
    const a = (await (await tokenRequest(sim, body)).json()) as { refresh_token: string };
    expect(a.refresh_token).toBe(first.refresh_token);
    expect((await tokenRequest(sim, body)).status).toBe(200);
  });

  it("serves a Web-app .ionapi without saak/sask on request", async () => {
    const sim = await startSim();
    const res = await fetch(`${sim.url}/_sim/ionapi?app=web`);
    const file = (await res.json()) as Record<string, string>;
    expect(file.ti).toBe(sim.tenant);
    expect(file).not.toHaveProperty("saak");
    expect(file).not.toHaveProperty("sask");
    expect(file.ru).toMatch(/^https:/);
  });

  it("answers invalid_client, not a 500, to Basic credentials that are not URL-encoded", async () => {
    const sim = await startSim();
    const io = sim.ionapi;
    const res = await fetch(`${io.pu}${io.ot}`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("%zz:secret").toString("base64")}` },
      body: form({ grant_type: "password", username: io.saak, password: io.sask }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("issues no refresh token when the app does not allow it", async () => {
    const sim = await startSim({ issueRefreshTokens: false });
    const body = (await (await passwordGrant(sim)).json()) as Record<string, unknown>;
    expect(body.refresh_token).toBeUndefined();
  });

  it("caps sign-ins per minute with 429 and lets them through again a minute later", async () => {
    const sim = await startSim({ signInsPerMinute: 2 });
    expect((await passwordGrant(sim)).status).toBe(200);
    expect((await passwordGrant(sim)).status).toBe(200);
    const refused = await passwordGrant(sim);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toBe("temporarily_unavailable");
    expect(sim.control.counters().signInsRefused).toBe(1);
    sim.control.advanceClock(61);
    expect((await passwordGrant(sim)).status).toBe(200);
  });

  it("answers 401 for missing, unknown, expired and early-expired tokens", async () => {
    const sim = await startSim({ tokenLifetimeSeconds: 60 });
    const path = `${sim.url}/${sim.tenant}/${v2("CRS620MI", "LstSuppliers")}`;
    expect((await fetch(path)).status).toBe(401);
    expect((await fetch(path, { headers: { authorization: "Bearer nonsense" } })).status).toBe(401);
    const api = await caller(sim);
    expect((await api.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(200);
    sim.control.advanceClock(61);
    const expired = await api.get(v2("CRS620MI", "LstSuppliers"));
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain("invalid_token");
    const fresh = await caller(sim);
    expect(sim.control.expireTokens(fresh.token)).toBe(1);
    expect((await fresh.get(v2("CRS620MI", "LstSuppliers"))).status).toBe(401);
    expect(sim.control.counters().unauthorized).toBe(4);
  });

  it("keeps tenants apart: a token of one tenant is refused by another", async () => {
    const sim = await startSim({ tenants: ["AAA_TST", "BBB_TST"] });
    const a = await caller(sim, "AAA_TST");
    const res = await fetch(`${sim.url}/BBB_TST/${v2("CRS620MI", "LstSuppliers")}`, {
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(res.status).toBe(401);
  });
});
