import { readFileSync } from "node:fs";

/** Resident set size of a process, bytes (Linux /proc/<pid>/status VmRSS); undefined when gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of a process (npx starts node as its child: the worker is that node). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** The process and its descendants, deepest last. */
export function treeOf(pid: number): number[] {
  const out = [pid];
  for (const c of childrenOf(pid)) out.push(...treeOf(c));
  return out;
}

/**
 * Samples the largest RSS of each tracked process until stopped: `max(pid)` is the peak seen.
 * Each worker is sampled as the node process that runs it (the leaf of npx → node).
 */
export function rssSampler(pids: () => number[], everyMs = 500) {
  const peak = new Map<number, number>();
  const sample = () => {
    for (const pid of pids()) {
      const r = rssOf(pid);
      if (r !== undefined && r > (peak.get(pid) ?? 0)) peak.set(pid, r);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop(): Map<number, number> {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
