import type { Rng } from "../data/rng.ts";

export const FAULT_MODES = [
  "status5xx",
  "latency",
  "malformedJson",
  "htmlError",
  "truncated",
  "reset",
  /** An M3 list that stops after `afterRows` rows with an error in the same answer (KB 2159861). */
  "partialNok",
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface FaultSpec {
  mode: FaultMode;
  /** Probability 0..1 per matching request (seeded). */
  rate?: number;
  /** Trigger on the next N matching requests. */
  count?: number;
  /** HTTP status for status5xx (default 503). */
  status?: number;
  /** Delay for latency (default 200 ms). */
  latencyMs?: number;
  /** partialNok: rows kept before the error (default 1). */
  afterRows?: number;
  /** partialNok: the error's `@type`/errorType (default ServerReturnedNOK). */
  errorType?: string;
  /** partialNok: M3's message (default a CPF9898 "Designed to fail!" like Infor's sample). */
  message?: string;
  /** api (default): M3/IDO calls; token: the OAuth endpoints; all: both. */
  scope?: "api" | "token" | "all";
}

interface ActiveFault extends FaultSpec {
  remaining: number | undefined;
}

export interface FaultDecision {
  delayMs: number;
  terminal?: ActiveFault;
}

export class FaultPlan {
  private faults: ActiveFault[] = [];
  private readonly rng: Rng;

  constructor(rng: Rng) {
    this.rng = rng;
  }

  add(spec: FaultSpec): void {
    if (!FAULT_MODES.includes(spec.mode))
      throw new Error(`unknown fault mode ${String(spec.mode)}`);
    this.faults.push({ ...spec, remaining: spec.count });
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.map(({ remaining, ...spec }) => ({
      ...spec,
      ...(remaining !== undefined ? { count: remaining } : {}),
    }));
  }

  private fires(fault: ActiveFault): boolean {
    if (fault.remaining !== undefined) {
      if (fault.remaining <= 0) return false;
      fault.remaining--;
      return true;
    }
    return this.rng.next() < (fault.rate ?? 0);
  }

  /** Decides what happens to one request of the given kind. */
  decide(kind: "api" | "token"): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const fault of this.faults) {
      const scope = fault.scope ?? "api";
      if (scope !== "all" && scope !== kind) continue;
      if (fault.mode === "latency") {
        if (this.fires(fault)) decision.delayMs += fault.latencyMs ?? 200;
        continue;
      }
      if (!decision.terminal && this.fires(fault)) decision.terminal = fault;
    }
    this.faults = this.faults.filter((f) => f.remaining === undefined || f.remaining > 0);
    return decision;
  }
}
