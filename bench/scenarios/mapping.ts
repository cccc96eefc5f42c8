import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { mapM3InvoiceBatch } from "../../src/infor/mapping/m3-mappers.ts";
import { parseRecord } from "../../src/infor/records.ts";
import type { Scenario } from "../types.ts";

/**
 * Mapping throughput and memory: 100k M3 supplier invoices (FAPIBH head + 2 FAPIBL lines, as
 * EXPORTMI rows with padded strings) mapped to canonical records and validated, page by page as
 * the sync engine does (500 rows, the listChanged default). Runs in a child process so peak RSS (getrusage maxRSS) is this workload's
 * alone. Baseline in the same child: `parseRecord` on ready-made canonical objects (validation
 * only), so the ratio shows what the mapping itself adds.
 */

/** Rows per page, as listChanged reads them by default. */
const PAGE = 500;

function heads(offset: number, n: number): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (let i = offset; i < offset + n; i++) {
    out.push({
      CONO: "100",
      DIVI: "AAA",
      INBN: String(1_000_000 + i),
      IBTP: "10",
      SUPA: ["00", "20", "50", "90"][i % 4] ?? "00",
      SUNO: `S${String(i % 5000).padStart(6, "0")}    `,
      SINO: `INV-${i}          `,
      IVDT: "20261115",
      DUDT: "20261215",
      ACDT: "20261116",
      CUCD: i % 10 === 0 ? "USD" : "EUR",
      CUAM: `${(i % 9973) + 1}.${String(i % 100).padStart(2, "0")}`,
      VTAM: `${(i % 997) + 1}.25`,
      PUNO: `${2_000_000 + (i % 40_000)}`,
      APCD: "APPROVER1 ",
      VSER: "",
      VONO: "0",
      RGDT: "20261115",
      LMDT: "20261120",
      CHID: "CLERK1",
    });
  }
  return out;
}

function lines(head: Record<string, string>): Record<string, string>[] {
  return [1, 2].map((t) => ({
    INBN: head.INBN ?? "",
    TRNO: String(t),
    RDTP: "1",
    PUNO: head.PUNO ?? "",
    PNLI: String(t * 10),
    PNLS: "0",
    IVQA: "12",
    GRPR: "10.125",
    NLAM: "121.50",
    AIT1: "4010      ",
    AIT2: "CC100     ",
    LMDT: "20261120",
  }));
}

const ctx = { tenant: "BENCH", company: "100", division: "AAA" };

/**
 * VmHWM from /proc (per address space, so fresh after exec). getrusage's maxRSS is not: Linux
 * keeps it across execve, so a child forked from a big parent would report the parent's size.
 */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m?.[1]) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function runChild(total: number): Promise<void> {
  let ok = 0;
  let failed = 0;
  // Warm-up (JIT), not counted: a long-running worker maps with optimized code.
  for (const h of heads(total, 5000)) mapM3InvoiceBatch(ctx, h, lines(h));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const samples: unknown[] = [];
  for (let off = 0; off < total; off += PAGE) {
    for (const h of heads(off, Math.min(PAGE, total - off))) {
      const r = mapM3InvoiceBatch(ctx, h, lines(h));
      if (r.ok) {
        ok++;
        if (samples.length < 2000) samples.push(r.record);
      } else failed++;
    }
    // The sync engine awaits I/O between pages; let the event loop (and V8's idle GC tasks) run.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const mapSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this process (all threads, GC included): robust to other load on the machine.
  const mapCpuSec = (cpu.user + cpu.system) / 1e6;
  // Peak RSS of the mapping phase itself, before the baseline allocates anything.
  const maxRssMb = peakRssMb();
  // Baseline: validation alone on already-canonical objects (re-validated many times over).
  // Plain copies: parseRecord returns a record it returned before as it is (records.ts), so
  // the mapper's own records would measure a set look-up, not validation.
  const fresh = samples.map((s) => structuredClone(s));
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  let validated = 0;
  while (validated < total) {
    for (const s of fresh) {
      if (parseRecord(s).ok) validated++;
      if (validated >= total) break;
    }
  }
  const baseSec = (performance.now() - t1) / 1000;
  const baseUsage = process.cpuUsage(cpu1);
  const baseCpuSec = (baseUsage.user + baseUsage.system) / 1e6;
  process.stdout.write(
    JSON.stringify({ ok, failed, mapSec, mapCpuSec, baseSec, baseCpuSec, maxRssMb }),
  );
}

if (process.env.INFOR_MAPPING_BENCH_CHILD) {
  await runChild(Number(process.env.INFOR_MAPPING_BENCH_CHILD));
}

const scenario: Scenario = async ({ quick }) => {
  const total = quick ? 20_000 : 100_000;
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, INFOR_MAPPING_BENCH_CHILD: String(total) },
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(stdout) as {
    ok: number;
    failed: number;
    mapSec: number;
    mapCpuSec: number;
    baseSec: number;
    baseCpuSec: number;
    maxRssMb: number;
  };
  const rate = total / r.mapCpuSec;
  const wallRate = total / r.mapSec;
  return {
    scenario: "mapping",
    metrics: [
      {
        name: "records per CPU-second (M3 invoice + 2 lines)",
        value: Math.round(rate),
        unit: "rec/s",
        target: { op: ">=", value: 50_000 },
      },
      {
        name: `peak RSS at ${total / 1000}k records`,
        value: Math.round(r.maxRssMb),
        unit: "MB",
        target: { op: "<", value: 200 },
      },
      {
        name: "mapping CPU ÷ validation-only baseline CPU",
        value: r.mapCpuSec / r.baseCpuSec,
        unit: "ratio",
      },
      {
        name: "records failing validation",
        value: r.failed,
        unit: "records",
        target: { op: "==", value: 0 },
      },
    ],
    notes: [
      `mapped ${r.ok} in ${r.mapSec.toFixed(2)} s wall (${Math.round(wallRate)} rec/s), ${r.mapCpuSec.toFixed(2)} s CPU; validation-only baseline ${r.baseSec.toFixed(2)} s`,
      "throughput is per CPU-second so other load on a shared machine does not skew it; wall-clock rate in this note",
    ],
  };
};

export default scenario;
