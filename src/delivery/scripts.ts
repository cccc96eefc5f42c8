import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

/** Each atomic Redis operation lives in its own Lua file (see the header of each for KEYS/ARGV). */
const load = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8");

export const LUA = {
  pacerTake: load("pacer-take"),
  pacerLearn: load("pacer-learn"),
  methodTake: load("method-take"),
  orderAdd: load("order-add"),
  markDelivered: load("mark-delivered"),
  promoteFront: load("promote-front"),
} as const;

export type ScriptName = keyof typeof LUA;

/** EVALSHA with a one-time EVAL fallback when Redis does not have the script cached yet. */
export async function runScript(
  redis: Redis,
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const lua = LUA[name];
  try {
    return await redis.evalsha(sha(name), keys.length, ...keys, ...args);
  } catch (err) {
    // NOSCRIPT is Redis's error code for a script it has not cached (after a restart or flush).
    if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}

import { createHash } from "node:crypto";

const shas = new Map<ScriptName, string>();
function sha(name: ScriptName): string {
  let s = shas.get(name);
  if (!s) {
    s = createHash("sha1").update(LUA[name]).digest("hex");
    shas.set(name, s);
  }
  return s;
}
