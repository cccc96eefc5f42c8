import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

/** A Lua script file run by EVALSHA, sent again on NOSCRIPT (the script cache is empty after a restart). */
export interface LuaScript {
  run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

/** `luaScript(new URL("./transition.lua", import.meta.url))`: read once at load. */
export function luaScript(file: URL): LuaScript {
  const source = readFileSync(file, "utf8");
  const sha = createHash("sha1").update(source).digest("hex");
  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        // Redis error replies start with their code word (RESP spec); NOSCRIPT = cache miss.
        if (err instanceof Error && err.message.startsWith("NOSCRIPT")) {
          return redis.eval(source, keys.length, ...keys, ...args);
        }
        throw err;
      }
    },
  };
}
