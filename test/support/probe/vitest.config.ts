import { defineConfig } from "vitest/config";

/** The leftovers check around one probe file (no JSON report: the outer run owns that file). */
export default defineConfig({
  test: {
    root: new URL("../../..", import.meta.url).pathname,
    include: ["test/support/probe/*.probe.ts"],
    globalSetup: ["test/support/leftovers.ts"],
    reporters: ["default"],
  },
});
