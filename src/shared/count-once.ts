import { randomBytes } from "node:crypto";
import { defineScript } from "./lua-script.ts";
import type { RedisClient } from "./redis-client.ts";

/** count-once.lua's reply. */
export const COUNT_ONCE_CODE = { counted: 1, alreadyCounted: 0 } as const;

export const countOnceScript = defineScript({
  file: new URL("./count-once.lua", import.meta.url),
  keys: ["hash", "op"],
  args: ["field", "by", "opTtlMs"],
  decode: (raw) => Number(raw) === COUNT_ONCE_CODE.counted,
});

/** A reconnect is seconds; the marker outlives it many times over and then goes. */
const OP_TTL_MS = 10 * 60_000;

/**
 * HINCRBY that a re-sent command cannot double: each call is one operation with an id of its
 * own, counted once (count-once.lua). The marker key extends the hash's key, so it keeps the
 * hash's tag (same Cluster slot).
 */
export async function countOnce(
  redis: RedisClient,
  hash: string,
  field: string,
  by = 1,
): Promise<void> {
  const op = `${hash}:op:${randomBytes(8).toString("hex")}`;
  await countOnceScript.run(redis, { keys: { hash, op }, args: { field, by, opTtlMs: OP_TTL_MS } });
}
