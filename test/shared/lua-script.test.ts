import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import "../../src/approvals/scripts.ts";
import "../../src/audit/scripts.ts";
import "../../src/delivery/scripts.ts";
import "../../src/infor/http/scripts.ts";
import "../../src/pipeline/scripts.ts";
import "../../src/sync/scripts.ts";
import "../../src/shared/count-once.ts";
import { definedScripts, defineScript, expandIncludes } from "../../src/shared/lua-script.ts";

/** The app's scripts (this file defines more below). */
const appScripts = [...definedScripts()];
const dir = mkdtempSync(join(tmpdir(), "lua-script-"));
const prefix = `test:lua-script:${randomBytes(4).toString("hex")}:`;
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

function luaFile(name: string, text: string): URL {
  const path = join(dir, name);
  writeFileSync(path, text);
  return pathToFileURL(path);
}

describe("defineScript", () => {
  it("sends the named keys and arguments in the order the script declares, then the tail", () => {
    const s = defineScript({
      file: luaFile("order.lua", "return {KEYS, ARGV}"),
      keys: ["b", "a"],
      args: ["y", "x"],
      decode: (raw) => raw,
    });
    const call = { keys: { a: "ka", b: "kb" }, args: { x: 1, y: "two" } };
    expect(s.keysOf(call)).toEqual(["kb", "ka"]);
    expect(s.argsOf(call)).toEqual(["two", 1]);
    expect(s.keysOf({ ...call, tail: { keys: ["k3"] } })).toEqual(["kb", "ka", "k3"]);
    expect(s.argsOf({ ...call, tail: { args: ["z"] } })).toEqual(["two", 1, "z"]);
    expect(s.name).toBe("order");
  });

  it("runs a script Redis has not cached (NOSCRIPT, then EVAL) and by its SHA after that", async () => {
    // A source no one sent before: Redis cannot have it cached.
    const nonce = randomBytes(8).toString("hex");
    const s = defineScript({
      file: luaFile(
        `fresh-${nonce}.lua`,
        `-- ${nonce}\nreturn redis.call("INCRBY", KEYS[1], ARGV[1])`,
      ),
      keys: ["counter"],
      args: ["by"],
      decode: (raw) => Number(raw),
    });
    const [before] = (await redis.script("EXISTS", s.sha)) as number[];
    expect(before).toBe(0);
    const call = { keys: { counter: `${prefix}n` }, args: { by: 2 } };
    expect(await s.run(redis, call)).toBe(2);
    const [after] = (await redis.script("EXISTS", s.sha)) as number[];
    expect(after).toBe(1);
    expect(await s.run(redis, call)).toBe(4);
  });

  it("passes any other error through, once (a script error is not retried)", async () => {
    await redis.hset(`${prefix}h`, "f", "v");
    const s = defineScript({
      file: luaFile(
        "wrongtype.lua",
        'redis.call("INCR", KEYS[2])\nreturn redis.call("INCR", KEYS[1])',
      ),
      keys: ["hash", "counter"],
      args: [],
      decode: (raw) => raw,
    });
    await expect(
      s.run(redis, { keys: { hash: `${prefix}h`, counter: `${prefix}c` }, args: {} }),
    ).rejects.toThrow(/WRONGTYPE/);
    // Run once: the counter the script touched before failing moved by one, not two.
    expect(await redis.get(`${prefix}c`)).toBe("1");
  });
});

describe("--#include", () => {
  it("puts the included file in place of the line, resolved next to the including file", () => {
    luaFile("snippet.lua", "local function twice(x) return 2 * x end\n");
    const main = luaFile("main.lua", "--#include snippet.lua\nreturn twice(21)\n");
    expect(expandIncludes(main)).toBe(
      "local function twice(x) return 2 * x end\nreturn twice(21)\n",
    );
  });

  it("refuses an included file that includes another (one level, nothing hidden)", () => {
    luaFile("nested.lua", "--#include snippet.lua\n");
    const main = luaFile("outer.lua", "--#include nested.lua\nreturn 1\n");
    expect(() => expandIncludes(main)).toThrow(/includes no other/);
  });

  it("the shared stream-append snippet runs inside the scripts that include it", () => {
    const including = definedScripts().filter((s) =>
      s.source.includes("local function stream_append"),
    );
    expect(including.map((s) => s.name).sort()).toEqual([
      "append",
      "claim-post",
      "enqueue-alert",
      "enqueue-alerts",
      "exit-post",
      "mark-delivered",
      "transition",
    ]);
    for (const s of definedScripts()) expect(s.source).not.toMatch(/^--#include/m);
  });
});

/** The header: a leading `--[[ ... ]]` block, or the leading `--` lines. */
function headerOf(source: string): string {
  if (source.startsWith("--[[")) return source.slice(0, source.indexOf("]]"));
  const lines = source.split("\n");
  const end = lines.findIndex((l) => !l.startsWith("--"));
  return lines.slice(0, end).join("\n");
}

/** A header line naming `name` at position i of `what` (KEYS or ARGV), alone or in a range. */
function names(header: string, what: string, i: number, name: string): boolean {
  const word = new RegExp(`\\b${name}\\b`);
  // One entry per segment: a line may name several ("KEYS[1] delayed zset   KEYS[2] wait list").
  const segments = header.split("\n").flatMap((line) => line.split(/(?=(?:KEYS|ARGV)\[)/));
  return segments.some((segment) => {
    const at = new RegExp(`^${what}\\[(\\d+)(?:\\.\\.(\\d+))?\\]`).exec(segment);
    if (!at || !word.test(segment)) return false;
    const from = Number(at[1]);
    const to = at[2] === undefined ? from : Number(at[2]);
    return i >= from && i <= to;
  });
}

describe("every script of the app", () => {
  it("names each of its KEYS and ARGV in its header, as its wrapper passes them", () => {
    const missing: string[] = [];
    expect(appScripts.length).toBeGreaterThanOrEqual(18);
    for (const s of appScripts) {
      const header = headerOf(s.source);
      s.keyNames.forEach((name, i) => {
        if (!names(header, "KEYS", i + 1, name)) missing.push(`${s.name}: KEYS[${i + 1}] ${name}`);
      });
      s.argNames.forEach((name, i) => {
        if (!names(header, "ARGV", i + 1, name)) missing.push(`${s.name}: ARGV[${i + 1}] ${name}`);
      });
    }
    expect(missing).toEqual([]);
  });
});
