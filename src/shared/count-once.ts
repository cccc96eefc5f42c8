import { randomBytes } from "node:crypto";
import { defineScript, type ScriptArg } from "./lua-script.ts";
import type { RedisClient } from "./redis-client.ts";

/** count-once.lua's reply. */
export const COUNT_ONCE_CODE = { counted: 1, alreadyCounted: 0 } as const;

/** The tail: counters to add to (field, amount pairs), then fields to set (field, value pairs). */
export const countOnceScript = defineScript({
  file: new URL("./count-once.lua", import.meta.url),
  keys: ["hash", "op"],
  args: ["opTtlMs", "increments"],
  decode: (raw) => Number(raw) === COUNT_ONCE_CODE.counted,
});

/** A reconnect is seconds; the marker outlives it many times over and then goes. */
const OP_TTL_MS = 10 * 60_000;

/**
 * HINCRBYs (and HSETs) that a re-sent command cannot double: each call is one operation with an
 * id of its own, applied once (count-once.lua). The marker key extends the hash's key, so it
 * keeps the hash's tag (same Cluster slot).
 */
export async function updateOnce(
  redis: RedisClient,
  hash: string,
  add: Readonly<Record<string, number>>,
  set: Readonly<Record<string, string>> = {},
): Promise<void> {
  const counters = Object.entries(add).filter(([, by]) => by !== 0);
  const fields = Object.entries(set);
  if (counters.length === 0 && fields.length === 0) return;
  const op = `${hash}:op:${randomBytes(8).toString("hex")}`;
  const tail: ScriptArg[] = [...counters.flat(), ...fields.flat()];
  await countOnceScript.run(redis, {
    keys: { hash, op },
    args: { opTtlMs: OP_TTL_MS, increments: counters.length },
    tail: { args: tail },
  });
}

/** One counter, once (see updateOnce). */
export function countOnce(redis: RedisClient, hash: string, field: string, by = 1): Promise<void> {
  return updateOnce(redis, hash, { [field]: by });
}
