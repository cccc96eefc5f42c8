import { defineScript } from "../shared/lua-script.ts";

/** commit.lua's reply. */
export const COMMIT_CODE = { committed: 1, conflict: 0 } as const;

/**
 * Commit one evaluation (see the header of lua/commit.lua): true when written, false when a
 * revision moved or the memo already existed. The tail holds the state keys then the dependents
 * sets (keys), and per state its expected rev and next JSON, then the operations' count and the
 * operations (args).
 */
export const commitScript = defineScript({
  file: new URL("./lua/commit.lua", import.meta.url),
  keys: ["memo"],
  args: ["memo", "memoTtlMs", "stateTtlMs", "states"],
  decode: (raw) => Number(raw) === COMMIT_CODE.committed,
});
