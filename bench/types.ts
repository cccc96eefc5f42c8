/**
 * The contract between `bench/run.ts` and each scenario: a scenario measures itself and a baseline
 * (or a bound) in the same run and returns ratios, never bare timings, since this machine is noisy.
 */
export interface BenchMetric {
  name: string;
  value: number;
  unit: string;
  /** Pass condition, e.g. { op: "<=", value: 1.05 }. */
  target?: { op: "<=" | ">=" | "<" | ">" | "=="; value: number };
}

export interface ScenarioResult {
  scenario: string;
  metrics: BenchMetric[];
  notes?: string[];
}

export interface ScenarioOptions {
  /** Smaller workload for a smoke run (`npm run bench -- --quick`). */
  quick: boolean;
  redisUrl: string;
}

export type Scenario = (options: ScenarioOptions) => Promise<ScenarioResult>;
