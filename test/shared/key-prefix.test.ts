import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_KEY_PREFIX } from "../../src/shared/key-prefix.ts";

const src = join(import.meta.dirname, "../../src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("one Redis key prefix", () => {
  it("is the only default a module falls back to (sync and the M3 column cache used csl:)", () => {
    const own: string[] = [];
    for (const file of sources(src)) {
      for (const m of readFileSync(file, "utf8").matchAll(/\?\?\s*["'`]([a-z]+:)["'`]/g)) {
        own.push(`${file.slice(src.length + 1)}: ${m[1]}`);
      }
    }
    expect(own).toEqual([]);
    // REDIS_PREFIX defaults to it too (test/config/env.test.ts: "cs:").
    expect(DEFAULT_KEY_PREFIX).toBe("cs:");
  });
});
