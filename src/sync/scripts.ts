import { defineScript } from "../shared/lua-script.ts";

/** Each atomic Redis operation of the sync engine, one Lua file each (header names KEYS/ARGV). */
const lua = (name: string) => new URL(`./lua/${name}.lua`, import.meta.url);

/** lock-renew.lua's and lock-release.lua's reply. */
export const LOCK_CODE = { done: 1, notHolder: 0 } as const;

/** Extend a poll lock while this holder owns it; true when extended. */
export const lockRenewScript = defineScript({
  file: lua("lock-renew"),
  keys: ["lock"],
  args: ["token", "ttlMs"],
  decode: (raw) => Number(raw) === LOCK_CODE.done,
});

/** Release a poll lock only while this holder owns it; true when released. */
export const lockReleaseScript = defineScript({
  file: lua("lock-release"),
  keys: ["lock"],
  args: ["token"],
  decode: (raw) => Number(raw) === LOCK_CODE.done,
});

/** Move a watermark forward under the lock: the stored watermark, or undefined when the lock is lost. */
export const watermarkAdvanceScript = defineScript({
  file: lua("watermark-advance"),
  keys: ["watermark", "lock"],
  args: ["watermark", "token"],
  // Lua false comes back as a nil reply (null).
  decode: (raw) => (raw === null ? undefined : String(raw)),
});

/** Count one more poll failure (failure-record.lua). */
export const failureRecordScript = defineScript({
  file: lua("failure-record"),
  keys: ["failures"],
  args: ["threshold", "now"],
  decode(raw) {
    const [count, alertNow, since] = raw as [number, number, string];
    return { count: Number(count), alertNow: Number(alertNow) === 1, since: String(since) };
  },
});

/** End a run of failures (failure-clear.lua). */
export const failureClearScript = defineScript({
  file: lua("failure-clear"),
  keys: ["failures"],
  args: [],
  decode(raw) {
    const [alerted, count, since] = raw as [number, number, string];
    return { owed: Number(alerted) === 1, failures: Number(count), since: String(since) };
  },
});
