import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { runCli } from "../../src/cli.ts";
import { encryptSecret, generateKey, parseKeyRing } from "../../src/security/envelope.ts";
import { captureIo } from "../cli/capture-io.ts";

let sim: InforSim;
let file = "";
let dir = "";

const io = captureIo;

beforeAll(async () => {
  sim = await startInforSim({ port: 0, seed: 3, data: { suppliersPerCompany: 3, invoices: 2 } });
  dir = mkdtempSync(join(tmpdir(), "cs-cli-infor-"));
  file = join(dir, "tenant.ionapi");
  writeFileSync(file, JSON.stringify(sim.ionapi), { mode: 0o600 });
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await sim?.close();
});

describe("ionapi inspect and infor call", () => {
  it("inspects a .ionapi without printing its secrets", async () => {
    const t = io();
    expect(await runCli(["ionapi", "inspect", file], t.io)).toBe(0);
    expect(t.out()).toContain(sim.tenant);
    expect(t.out()).not.toContain(String(sim.ionapi.cs));
    expect(t.out()).not.toContain(String(sim.ionapi.sask));
  });

  it("calls an MI transaction with the app's IONAPI_FILE", async () => {
    const t = io({ IONAPI_FILE: file });
    expect(await runCli(["infor", "call", "CRS620MI/LstSuppliers", "--maxrecs", "2"], t.io)).toBe(
      0,
    );
    expect(JSON.parse(t.out())).toMatchObject({ program: "CRS620MI", count: 2 });
  });

  it("decrypts an enc:v1 IONAPI_JSON with ENCRYPTION_KEYS", async () => {
    const keys = `k1:${generateKey()}`;
    const envelope = encryptSecret(JSON.stringify(sim.ionapi), parseKeyRing(keys));
    const t = io({ IONAPI_JSON: envelope, ENCRYPTION_KEYS: keys });
    expect(await runCli(["infor", "call", "CRS620MI/LstSuppliers", "--maxrecs", "1"], t.io)).toBe(
      0,
    );
    expect(JSON.parse(t.out())).toMatchObject({ count: 1 });
    const bad = io({ IONAPI_JSON: envelope });
    expect(await runCli(["infor", "call", "CRS620MI/LstSuppliers"], bad.io)).toBe(2);
    expect(bad.err()).toContain("ENCRYPTION_KEYS is not set");
  });
});
