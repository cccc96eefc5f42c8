import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRoutingYaml } from "../../sandbox/demo/routing.ts";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { runCli } from "../../src/cli.ts";
import { ENTITIES } from "../../src/infor/records.ts";
import { captureIo } from "./capture-io.ts";

let sim: InforSim;
const dir = mkdtempSync(join(tmpdir(), "csl-online-"));
const routing = join(dir, "routing.yml");

beforeAll(async () => {
  sim = await startInforSim({ seed: 11, startDate: "2026-11-30" });
  // Every entity the bot polls, so the check reads each one once.
  const schedules = ENTITIES.map((e) => `          ${e}: { every: 1m }`).join("\n");
  const yaml = demoRoutingYaml({ tenant: sim.tenant, since: "2026-11-29" }).replace(
    / {8}schedules:\n(?: {10}\w+: \{ every: 10s \}\n)+/,
    `        schedules:\n${schedules}\n`,
  );
  writeFileSync(routing, yaml);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const io = captureIo;

const env = () => ({
  SLACK_BOT_TOKEN: "xoxb-1111-2222-abcdefabcdef",
  SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99aaaaaa85a5",
  IONAPI_JSON: JSON.stringify(sim.ionapi),
});

describe("check-config --online", () => {
  it("signs in and reads one page of every configured entity", async () => {
    const t = io(env());
    const code = await runCli(["check-config", "--online", "--routing", routing], t.io);
    expect(t.err()).toBe("");
    expect(code).toBe(0);
    expect(t.out()).toMatch(new RegExp(`signed in to ${sim.tenant}`));
    for (const e of ["supplier", "purchase_order", "supplier_invoice", "payment"]) {
      expect(t.out()).toMatch(new RegExp(`${sim.tenant} 100(/AAA)? ${e}: ok`));
    }
    expect(t.out()).toMatch(/online: all \d+ entities read/);
    for (const s of [sim.ionapi.cs, sim.ionapi.saak, sim.ionapi.sask]) {
      expect(t.out() + t.err()).not.toContain(s);
    }
  });

  it("names each entity that fails with M3's own message, and exits 1", async () => {
    // Every M3 answer carries the error (column detection and list fallbacks included).
    sim.control.addFault({
      mode: "partialNok",
      rate: 1,
      afterRows: 0,
      errorType: "ServerReturnedNOK",
      message: "Field IDCHID does not exist in CIDMAS",
    });
    const t = io(env());
    const code = await runCli(["check-config", "--online", "--routing", routing], t.io);
    expect(code).toBe(1);
    expect(t.err()).toMatch(/: FAILED mi_business: .*Field IDCHID does not exist in CIDMAS/);
    expect(t.out()).toMatch(/online: \d+ of \d+ entities failed/);
    sim.control.clearFaults();
  });

  it("a refused sign-in fails every entity without reading", async () => {
    const t = io({
      ...env(),
      IONAPI_JSON: JSON.stringify({ ...sim.ionapi, sask: "wrong-secret" }),
    });
    const code = await runCli(["check-config", "--online", "--routing", routing], t.io);
    expect(code).toBe(1);
    expect(t.err()).toMatch(/sign-in to .* FAILED auth_rejected/);
    expect(t.err()).not.toContain("wrong-secret");
  });
});
