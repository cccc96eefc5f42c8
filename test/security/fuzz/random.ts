/**
 * A small seeded PRNG (mulberry32) so every fuzz run is reproducible: a failure prints its seed,
 * and `FUZZ_SEED=<n> npx vitest run test/security` replays exactly the same inputs.
 */
export interface Rng {
  readonly seed: number;
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error("pick from an empty list");
      return item;
    },
    chance: (p) => next() < p,
  };
}

/** The seed for this run: FUZZ_SEED when set, else a fixed default (reproducible in CI). */
export function fuzzSeed(defaultSeed: number): number {
  const env = process.env.FUZZ_SEED;
  const n = env === undefined ? Number.NaN : Number(env);
  return Number.isInteger(n) ? n : defaultSeed;
}
