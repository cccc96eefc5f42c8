import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { RedisClient } from "./redis-client.ts";

/** A value Redis receives as a script argument (numbers as their decimal text, Buffers as bytes). */
export type ScriptArg = string | number | Buffer;

/**
 * One script file, its KEYS and ARGV named in the order its header lists them, and how its raw
 * reply becomes a typed result.
 */
export interface ScriptSpec<K extends string, A extends string, R> {
  /** The .lua file. A line `--#include <path>` is replaced by that file (path relative to it). */
  readonly file: URL;
  /** KEYS[1..n] in order. */
  readonly keys: readonly K[];
  /** ARGV[1..m] in order. */
  readonly args: readonly A[];
  /** The raw reply as the caller's type (codes from the script's result table). */
  readonly decode: (raw: unknown) => R;
}

/**
 * One call: every named key and argument, plus an optional tail the script reads after the named
 * ones (an audit entry's stream and fields, a variable list of GCRA buckets).
 */
export interface ScriptCall<K extends string, A extends string> {
  readonly keys: Readonly<Record<K, string>>;
  readonly args: Readonly<Record<A, ScriptArg>>;
  readonly tail?: { readonly keys?: readonly string[]; readonly args?: readonly ScriptArg[] };
}

export interface LuaScript<K extends string = string, A extends string = string, R = unknown> {
  /** The file's base name without `.lua`. */
  readonly name: string;
  /** The source sent to Redis (includes expanded); its SHA-1 is what EVALSHA names. */
  readonly source: string;
  readonly sha: string;
  readonly keyNames: readonly K[];
  readonly argNames: readonly A[];
  /** KEYS as the script receives them: the named keys in header order, then the tail. */
  keysOf(call: ScriptCall<K, A>): string[];
  /** ARGV as the script receives them. */
  argsOf(call: ScriptCall<K, A>): ScriptArg[];
  /** EVALSHA, and EVAL once when Redis has not cached the script (NOSCRIPT). */
  run(redis: RedisClient, call: ScriptCall<K, A>): Promise<R>;
}

/** Every script defined in this process, so tests can check them all (key slots, codes). */
const defined: LuaScript[] = [];

export function definedScripts(): readonly LuaScript[] {
  return defined;
}

const INCLUDE = /^--#include\s+(\S+)\s*$/m;

/** The file with its `--#include` lines replaced by the included files (one level deep). */
export function expandIncludes(file: URL): string {
  const every = new RegExp(INCLUDE.source, "gm");
  return readFileSync(file, "utf8").replace(every, (_line, path: string) => {
    const included = readFileSync(new URL(path, file), "utf8");
    if (INCLUDE.test(included)) throw new Error(`${path}: an included file includes no other`);
    return included.trimEnd();
  });
}

/** `defineScript({ file: new URL("./x.lua", import.meta.url), keys, args, decode })`: read once. */
export function defineScript<K extends string, A extends string, R>(
  spec: ScriptSpec<K, A, R>,
): LuaScript<K, A, R> {
  const source = expandIncludes(spec.file);
  const sha = createHash("sha1").update(source).digest("hex");
  const script: LuaScript<K, A, R> = {
    name: basename(fileURLToPath(spec.file), ".lua"),
    source,
    sha,
    keyNames: spec.keys,
    argNames: spec.args,
    keysOf: (call) => [...spec.keys.map((k) => call.keys[k]), ...(call.tail?.keys ?? [])],
    argsOf: (call) => [...spec.args.map((a) => call.args[a]), ...(call.tail?.args ?? [])],
    async run(redis, call) {
      const keys = script.keysOf(call);
      const args = script.argsOf(call);
      let raw: unknown;
      try {
        raw = await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        // Redis error replies start with their code word (RESP spec); NOSCRIPT = the script
        // cache does not hold it (a restart, a failover, SCRIPT FLUSH).
        if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
        raw = await redis.eval(source, keys.length, ...keys, ...args);
      }
      return spec.decode(raw);
    },
  };
  defined.push(script);
  return script;
}

/** Decoders for the common reply shapes. */
export const reply = {
  number: (raw: unknown): number => Number(raw),
  /** An integer reply that is 1 for yes. */
  flag: (raw: unknown): boolean => Number(raw) === 1,
  raw: (raw: unknown): unknown => raw,
};
