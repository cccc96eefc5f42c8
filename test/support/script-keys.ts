import type { Redis } from "ioredis";
import { definedScripts } from "../../src/shared/lua-script.ts";

/**
 * Redis Cluster's key slot (cluster spec, "Key distribution model"): CRC16 (XMODEM) of the key,
 * or of the hash tag (the part between the first `{` and the next `}` when not empty), mod 16384.
 */
export function hashSlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return crc16(Buffer.from(key.slice(open + 1, close))) % 16384;
  }
  return crc16(Buffer.from(key)) % 16384;
}

/** CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as the cluster spec gives it. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** One script run as the client sent it. */
export interface ScriptCallSeen {
  script: string;
  keys: string[];
}

/**
 * A client that runs everything on `redis` (real Redis) and notes the KEYS of every script call
 * (EVALSHA and the EVAL after NOSCRIPT), named by the script defined with that source.
 */
export function recordScriptKeys(redis: Redis): { client: Redis; calls: ScriptCallSeen[] } {
  const calls: ScriptCallSeen[] = [];
  const nameOf = (shaOrSource: string): string =>
    definedScripts().find((s) => s.sha === shaOrSource || s.source === shaOrSource)?.name ??
    "(unknown script)";
  const client = new Proxy(redis, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop !== "evalsha" && prop !== "eval") return value.bind(target);
      return (script: string, numKeys: number | string, ...rest: (string | number)[]) => {
        const keys = rest.slice(0, Number(numKeys)).map(String);
        // The EVAL after a NOSCRIPT is the same call again: note it once.
        if (prop === "evalsha") calls.push({ script: nameOf(script), keys });
        return Reflect.apply(value, target, [script, numKeys, ...rest]);
      };
    },
  });
  return { client, calls };
}

/** The calls whose keys do not all hash to one slot, with each key's slot. */
export function crossSlotCalls(calls: readonly ScriptCallSeen[]) {
  return calls
    .filter((c) => new Set(c.keys.map(hashSlot)).size > 1)
    .map((c) => ({ script: c.script, slots: c.keys.map((k) => `${hashSlot(k)} ${k}`) }));
}

/** Scripts defined in this process that no call used. */
export function scriptsNotSeen(calls: readonly ScriptCallSeen[]): string[] {
  const seen = new Set(calls.map((c) => c.script));
  return definedScripts()
    .map((s) => s.name)
    .filter((name) => !seen.has(name));
}
