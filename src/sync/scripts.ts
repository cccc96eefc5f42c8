import { readFileSync } from "node:fs";

function load(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8");
}

/** Each atomic Redis operation of the sync engine, one Lua file each (header names KEYS/ARGV). */
export const scripts = {
  lockRenew: load("lock-renew"),
  lockRelease: load("lock-release"),
  watermarkAdvance: load("watermark-advance"),
  failureRecord: load("failure-record"),
  failureClear: load("failure-clear"),
};
