import { configDefaults, defineConfig } from "vitest/config";

// test/redis-modes/ needs a Sentinel set, which scripts/test-redis-modes.sh starts
// and names in REDIS_SENTINELS; elsewhere its files are not collected (a
// skipped test fails CI).
const redisModes = Boolean(process.env.REDIS_SENTINELS);

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(redisModes ? [] : ["test/redis-modes/**"])],
    // Fails the run when tests leave a temp entry or a Redis key without a TTL behind.
    globalSetup: ["test/support/leftovers.ts"],
    // Integration tests start servers and child processes; 2-core machines need headroom.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default", "json"],
    outputFile: { json: "test/artifacts/vitest.json" },
  },
});
