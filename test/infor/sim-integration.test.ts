import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { InforSim } from "../../sandbox/infor-sim/server.ts";
import { inforCall } from "../../src/cli/infor-call.ts";
import { MiBusinessError } from "../../src/infor/errors.ts";
import { createSyteLineSource } from "../../src/infor/ido-source.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import type { Entity } from "../../src/infor/records.ts";
import type { InforSource } from "../../src/infor/source.ts";
import { sim, simClient } from "./sim-helpers.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:infor-sim:${randomUUID()}:`;
const sims: InforSim[] = [];

afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()));
  const r = new Redis(REDIS_URL);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length > 0) await r.del(...keys);
  await r.quit();
});

async function started(options: Parameters<typeof sim>[0] = {}): Promise<InforSim> {
  const s = await sim(options);
  sims.push(s);
  return s;
}

function m3(s: InforSim, client: ReturnType<typeof simClient>): InforSource {
  return createM3Source(client.mi, { tenant: s.tenant, company: "100", division: "AAA" });
}

async function collect(source: InforSource, entity: Entity, pageSize = 50) {
  const keys: string[] = [];
  let rejects = 0;
  for await (const b of source.listChanged(entity, "2020-01-01", { pageSize })) {
    for (const r of b.records) keys.push(JSON.stringify(r));
    rejects += b.rejects.length;
  }
  return { keys, rejects };
}

describe("against infor-sim", () => {
  it("3 processes sharing one rpm budget through Redis never draw a 429", async () => {
    // The sim clock runs 20× faster, so its 60-second window is 3 real seconds; the clients use
    // the same budget over a 3-second window. (A faster clock would turn a stall of the busy
    // test process into seconds of sim time and bunch requests that were sent evenly.)
    const t0 = Date.now();
    const rpm = 30;
    const s = await started({ requestsPerMinute: rpm, now: () => t0 + (Date.now() - t0) * 20 });
    const worker = fileURLToPath(new URL("./fixtures/budget-worker.ts", import.meta.url));
    const run = () =>
      promisify(execFile)(process.execPath, [worker], {
        env: {
          ...process.env,
          IONAPI: JSON.stringify(s.ionapi),
          REDIS_URL,
          KEY_PREFIX: prefix,
          RPM: String(rpm),
          WINDOW_MS: "3000",
          CALLS: "15",
        },
        timeout: 30_000,
      });
    const outs = await Promise.all([run(), run(), run()]);
    const results = outs.map(
      (o) => JSON.parse(o.stdout) as { ok: number; failed: number; stats: { status429: number } },
    );
    expect(results.map((r) => r.ok)).toEqual([15, 15, 15]);
    expect(results.map((r) => r.stats.status429)).toEqual([0, 0, 0]);
    const c = s.control.counters();
    expect(c.status429).toBe(0);
    expect(c.apiRequests).toBe(45); // 45 calls > 30 per window: the budget was really needed
  }, 40_000);

  it("control: the same load without the shared budget does draw 429s", async () => {
    const t0 = Date.now();
    const s = await started({ requestsPerMinute: 24, now: () => t0 + (Date.now() - t0) * 60 });
    const clients = [0, 1, 2].map(() =>
      simClient(s, { requestsPerMinute: 24, windowMs: 1000, retry: { maxAttempts: 1 } }),
    );
    const results = await Promise.all(
      clients.map(async (c) => {
        let failed = 0;
        for (let i = 0; i < 12; i++) {
          await c.mi.execute("CRS620MI", "LstSuppliers", {}, { maxrecs: 3 }).catch(() => failed++);
        }
        await c.close();
        return failed;
      }),
    );
    expect(s.control.counters().status429).toBeGreaterThan(0);
    expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 30_000);

  it("a token that expires mid-run is replaced without a failed call", async () => {
    const s = await started();
    const baseline = await collect(m3(s, simClient(s)), "supplier_invoice", 20);
    const client = simClient(s);
    const keys: string[] = [];
    let pages = 0;
    for await (const b of m3(s, client).listChanged("supplier_invoice", "2020-01-01", {
      pageSize: 20,
    })) {
      keys.push(...b.records.map((r) => JSON.stringify(r)));
      if (++pages === 2) expect(s.control.expireTokens()).toBeGreaterThan(0);
    }
    expect(keys).toEqual(baseline.keys);
    // Up to two requests were in flight (read-ahead): each may see one 401, but they share one
    // renewal and each retries once.
    expect(client.http.stats.unauthorized).toBeGreaterThanOrEqual(1);
    expect(client.http.stats.unauthorized).toBeLessThanOrEqual(2);
    expect(client.tokens.stats.signIns).toBe(2); // the first sign-in and one refresh
    await client.close();
  });

  it("short-lived tokens are refreshed ahead of expiry (no 401 at all)", async () => {
    const s = await started({ tokenLifetimeSeconds: 2 });
    const client = simClient(s, { requestsPerMinute: 600, windowMs: 60_000 }); // 1 call per 100 ms
    for (let i = 0; i < 28; i++)
      await client.mi.execute("CRS620MI", "LstSuppliers", {}, { maxrecs: 1 });
    expect(client.tokens.stats.refreshes).toBeGreaterThanOrEqual(1);
    expect(s.control.counters().unauthorized).toBe(0);
    await client.close();
  }, 20_000);

  describe("every fault mode is survived", () => {
    const modes = [
      { mode: "status5xx" as const, count: 3 },
      { mode: "status5xx" as const, count: 2, status: 502 },
      { mode: "latency" as const, count: 3, latencyMs: 150 },
      { mode: "malformedJson" as const, count: 2 },
      { mode: "htmlError" as const, count: 2 },
      { mode: "truncated" as const, count: 2 },
      { mode: "reset" as const, count: 2 },
      { mode: "status5xx" as const, count: 1, scope: "token" as const },
      { mode: "reset" as const, count: 1, scope: "token" as const },
    ];
    it.each(modes)(
      "%o",
      async (fault) => {
        const s = await started();
        const baseline = await collect(m3(s, simClient(s)), "purchase_order", 15);
        const client = simClient(s);
        s.control.addFault(fault);
        const t0 = performance.now();
        const got = await collect(m3(s, client), "purchase_order", 15);
        expect(got.keys).toEqual(baseline.keys);
        expect(got.rejects).toBe(0);
        if (fault.mode === "latency") {
          // The sim does not count latency as a fault; the delay itself shows it happened.
          expect(performance.now() - t0).toBeGreaterThanOrEqual(3 * 150 - 20);
        } else {
          const injected = Object.values(s.control.counters().faults).reduce((a, b) => a + b, 0);
          expect(injected).toBe(fault.count);
        }
        await client.close();
      },
      20_000,
    );
  });

  it.each(["results400", "top400", "results200"] as const)(
    "business errors are typed in style %s (v2) and v1; not found is an empty lookup",
    async (style) => {
      const s = await started({ m3ErrorStyle: style });
      const client = simClient(s);
      const err = await client.mi
        .execute("PPS200MI", "GetHead", { PUNO: "9999999" })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MiBusinessError);
      expect(err).toMatchObject({ code: "mi_business", errorCode: "XRE0103", program: "PPS200MI" });
      const v1 = simClient(s, { miVersion: "v1" });
      await expect(v1.mi.execute("PPS200MI", "GetHead", { PUNO: "9999999" })).rejects.toMatchObject(
        { errorCode: "XRE0103" },
      );
      const ok = await v1.mi.execute("PPS200MI", "GetHead", { PUNO: "1000001" });
      expect(ok.records[0]?.PUNO).toBe("1000001"); // v1 padding trimmed
      expect((await m3(s, client).getPurchaseOrder("9999999")).records).toEqual([]);
      await client.close();
      await v1.close();
    },
  );

  it("M3 source: every entity maps without rejects; page size does not change the result", async () => {
    const s = await started();
    const client = simClient(s);
    const src = m3(s, client);
    for (const e of [
      "supplier",
      "purchase_order",
      "supplier_invoice",
      "payment",
      "gl_voucher",
      "account",
    ] as const) {
      const small = await collect(src, e, 7);
      const big = await collect(src, e, 500);
      expect(small.keys.length).toBeGreaterThan(0);
      expect(small.rejects).toBe(0);
      expect([...small.keys].sort()).toEqual([...big.keys].sort());
    }
    // Another company: every EXPORTMI call must carry this source's cono.
    const ccc = createM3Source(client.mi, { tenant: s.tenant, company: "200", division: "CCC" });
    const other = await collect(ccc, "supplier_invoice", 500);
    expect(other.keys.length).toBeGreaterThan(0);
    for (const k of other.keys)
      expect(JSON.parse(k)).toMatchObject({ company: "200", division: "CCC" });
    expect(client.http.stats.status429).toBe(0);
    await client.close();
  }, 30_000);

  it("M3 lookups: PO with lines and receipts, duplicate invoice numbers, payments, GL by period", async () => {
    const s = await started();
    const client = simClient(s);
    const src = m3(s, client);
    const cases = s.control.scenarios() as unknown as Record<string, (string | number)[]>;
    const po = await src.getPurchaseOrder("1000001");
    expect(po.records[0]).toMatchObject({ entity: "purchase_order", number: "1000001" });
    const withReceipts = po.records[0] as { lines: { receipts: unknown[] }[] };
    expect(withReceipts.lines.length).toBeGreaterThan(0);
    const dupInbn = cases.duplicateNumber?.[0];
    expect(dupInbn).toBeDefined();
    const all = await collect(src, "supplier_invoice", 500);
    const dup = all.keys.map((k) => JSON.parse(k)).find((r) => r.batchNumber === String(dupInbn));
    const found = await src.findInvoice(dup.supplierId, dup.invoiceNumber);
    expect(found.records.length).toBe(2);
    const pays = await src.listPayments({ limit: 2 });
    expect(pays.records.length).toBe(2);
    const gl = await src.listGlLines("4010", "2026-11");
    expect(gl.records.length).toBeGreaterThan(0);
    for (const v of gl.records)
      for (const l of (v as { lines: { account: string }[] }).lines) expect(l.account).toBe("4010");
    const search = await src.searchSuppliers("steel");
    expect(search.records.length).toBeGreaterThan(0);
    await client.close();
  });

  it("SyteLine source over IDO: both item formats, bookmark paging", async () => {
    const s = await started();
    const client = simClient(s, { mongooseConfig: "SIMCO_TST_SITE" });
    const src = createSyteLineSource(client.ido, { tenant: s.tenant, site: "SITE1" });
    const flat = await collect(src, "supplier_invoice", 9);
    s.control.configure({ idoItemFormat: "namevalue" });
    const nv = await collect(src, "supplier_invoice", 200);
    expect(flat.keys.length).toBeGreaterThan(9);
    expect(flat.rejects).toBe(0);
    expect(nv.keys).toEqual(flat.keys);
    const pos = await collect(src, "purchase_order", 10);
    expect(pos.keys.length).toBeGreaterThan(0);
    expect(src.supports("payment")).toBe(false);
    await client.close();
  });

  it("logs carry no secret: client secret, service-account keys, tokens", async () => {
    const s = await started({ tokenLifetimeSeconds: 2 });
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (l: string) => void lines.push(l) });
    const client = simClient(s, { logger });
    s.control.addFault({ mode: "status5xx", count: 1 });
    await client.mi.execute("CRS620MI", "LstSuppliers", {}, { maxrecs: 1 });
    s.control.expireTokens();
    await client.mi.execute("CRS620MI", "LstSuppliers", {}, { maxrecs: 1 });
    await client.close();
    const text = lines.join("");
    expect(text).toContain("retrying ION API request"); // the logger did get lines
    const ionapi = s.ionapi as unknown as Record<string, string>;
    for (const secret of [ionapi.cs, ionapi.sask, ionapi.saak]) {
      expect(secret).toBeTruthy();
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/access_token|refresh_token|Bearer /);
  });

  it("CLI `infor call` against the sim", async () => {
    const s = await started();
    const dir = await mkdtemp(join(tmpdir(), "infor-call-"));
    const file = join(dir, "sim.ionapi");
    await writeFile(file, JSON.stringify(s.ionapi));
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      env: {},
    };
    expect(await inforCall(["PPS200MI/LstLine", "PUNO=1000001", "--ionapi", file], io)).toBe(0);
    expect(JSON.parse(out.join("")).count).toBeGreaterThan(0);
    expect(s.control.counters().revokes).toBe(1);
    await rm(dir, { recursive: true, force: true });
  });
});
