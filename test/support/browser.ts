import { existsSync } from "node:fs";
import { describe, it } from "vitest";

/** Debian's Chromium (the Debian package `chromium`), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export type BrowserTestMode = "run" | "skip" | "fail";

/**
 * Browser tests run when Chromium is there. Without it they are skipped on a developer's machine,
 * but in CI (CI=true) that is a failure: a green CI must mean the browser tests ran.
 */
export function browserTestMode(o: {
  chromiumFound: boolean;
  ci: string | undefined;
}): BrowserTestMode {
  if (o.chromiumFound) return "run";
  return o.ci === "true" ? "fail" : "skip";
}

/** `describe` for a browser suite, following browserTestMode for this machine. */
export function describeWithBrowser(name: string, body: () => void): void {
  const mode = browserTestMode({ chromiumFound: existsSync(CHROMIUM), ci: process.env.CI });
  if (mode === "run") {
    describe(name, body);
    return;
  }
  if (mode === "fail") {
    describe(name, () => {
      it("has Chromium to run in", () => {
        throw new Error(
          `no Chromium at ${CHROMIUM}: in CI (CI=true) browser tests must run, not skip; install the Debian package chromium or set CHROMIUM_PATH`,
        );
      });
    });
    return;
  }
  // Said plainly in the output: vitest's skip carries no reason.
  console.warn(`"${name}" skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  describe.skip(name, body);
}
