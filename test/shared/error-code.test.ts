import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeOf, codeOrCauseOf, programmingErrorDetail } from "../../src/shared/error-code.ts";
import { SyncError } from "../../src/sync/errors.ts";

const src = join(import.meta.dirname, "../../src");

describe("codeOf", () => {
  it("reads a non-empty string code from anything thrown, else undefined", () => {
    expect(codeOf(new SyncError("sync_busy", "busy"))).toBe("sync_busy");
    expect(codeOf(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toBe("ECONNRESET");
    expect(codeOf({ code: 429 })).toBeUndefined();
    expect(codeOf({ code: "" })).toBeUndefined();
    expect(codeOf("text")).toBeUndefined();
    expect(codeOf(null)).toBeUndefined();
  });
});

describe("programmingErrorDetail", () => {
  it("says what a code-less TypeError says and where; nothing for coded or other errors", () => {
    let thrown: unknown;
    try {
      (undefined as unknown as { a: number }).a;
    } catch (err) {
      thrown = err;
    }
    const detail = programmingErrorDetail(thrown);
    expect(detail).toMatch(/^TypeError: Cannot read properties of undefined/);
    expect(detail).toContain("error-code.test.ts");
    // A network failure's message may quote the request: only its code is logged.
    expect(programmingErrorDetail(new Error("https://hooks.example/T0/secret"))).toBeUndefined();
    const coded = Object.assign(new TypeError("fetch failed"), { code: "ECONNRESET" });
    expect(programmingErrorDetail(coded)).toBeUndefined();
    const network = new TypeError("fetch failed", { cause: { code: "UND_ERR_SOCKET" } });
    expect(programmingErrorDetail(network)).toBeUndefined();
    expect(codeOrCauseOf(network)).toBe("UND_ERR_SOCKET");
    expect(codeOrCauseOf(coded)).toBe("ECONNRESET");
    expect(codeOrCauseOf(new TypeError("x"))).toBeUndefined();
    expect(programmingErrorDetail("text")).toBeUndefined();
    expect(programmingErrorDetail(new RangeError("x".repeat(500)))?.length).toBeLessThan(450);
  });
});

describe("our error codes", () => {
  it("are lower_snake_case in every src/*/errors.ts code union", () => {
    const offenders: string[] = [];
    for (const folder of readdirSync(src)) {
      let text: string;
      try {
        text = readFileSync(join(src, folder, "errors.ts"), "utf8");
      } catch {
        continue;
      }
      // The `…Code =` union types: `| "sync_busy"` lines.
      for (const union of text.matchAll(/export type \w*Code\s*=([^;]+);/g)) {
        for (const m of (union[1] as string).matchAll(/"([^"]+)"/g)) {
          if (!/^[a-z][a-z0-9_]*$/.test(m[1] as string)) offenders.push(`${folder}: ${m[1]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("are read through one helper: no inline `(err as { code… }).code` casts in src, test or bench", () => {
    const casts: string[] = [];
    const walk = (dir: string): void => {
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, d.name);
        if (d.isDirectory()) walk(p);
        else if (p.endsWith(".ts") && !p.endsWith("shared/error-code.ts")) {
          const text = readFileSync(p, "utf8");
          if (/as \{ code\??: \w+;? \}\)\.code|as NodeJS\.ErrnoException\)\.code/.test(text))
            casts.push(p);
        }
      }
    };
    // sandbox/ is left out: the emulators stand for Slack and Infor and import nothing of ours.
    for (const dir of [src, join(src, "../test"), join(src, "../bench")]) walk(dir);
    expect(casts).toEqual([]);
  });
});
