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

/** An invoice trigger's reads and its index write (lua/trigger-reads.lua). */
export const triggerReadsScript = defineScript({
  file: new URL("./lua/trigger-reads.lua", import.meta.url),
  keys: ["memo", "dependents", "state", "index"],
  args: ["readMemo", "field", "invoice", "ttlMs"],
  decode(raw) {
    const [memo, dependents, rev, data, length] = raw as [
      string | null,
      string[],
      string | null,
      string | null,
      number,
    ];
    return {
      memo: memo ?? undefined,
      dependents: dependents.map(String),
      rev: rev ?? undefined,
      data: data ?? undefined,
      indexLength: Number(length),
    };
  },
});
