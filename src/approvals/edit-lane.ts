/**
 * Message edits of the reflection, at most `limit` at once, apart from the M3 checks: `enter`
 * resolves once the edit has started (waiting only while the lane is full), so the check that
 * found the decision frees its slot while the edit waits for Slack's budget. Edits with the
 * same key (one record's approvals share its message) run one after another: two rewrites of
 * one message at once would each stamp only their own line. `drain` waits for every edit started.
 */
export interface EditLane {
  enter(key: string, edit: () => Promise<void>): Promise<void>;
  drain(): Promise<void>;
}

export function createEditLane(limit: number, onError: (err: unknown) => void): EditLane {
  const running = new Set<Promise<void>>();
  /** The last edit entered per key: the next of that key starts after it. */
  const last = new Map<string, Promise<void>>();
  return {
    async enter(key, edit) {
      while (running.size >= Math.max(1, limit)) await Promise.race(running);
      const before = last.get(key) ?? Promise.resolve();
      const run: Promise<void> = before
        .then(edit)
        .catch(onError)
        .finally(() => {
          running.delete(run);
          if (last.get(key) === run) last.delete(key);
        });
      running.add(run);
      last.set(key, run);
    },
    async drain() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
