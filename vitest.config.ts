import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
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
