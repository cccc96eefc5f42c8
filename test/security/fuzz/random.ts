// Inputs are reproducible: a failure prints its seed, and FUZZ_SEED=<n> npx vitest run test/security
// replays exactly the same inputs.
export { createRng, type Rng } from "../../../sandbox/support/random.ts";

/** The seed for this run: FUZZ_SEED when set, else a fixed default (reproducible in CI). */
export function fuzzSeed(defaultSeed: number): number {
  const env = process.env.FUZZ_SEED;
  const n = env === undefined ? Number.NaN : Number(env);
  return Number.isInteger(n) ? n : defaultSeed;
}
