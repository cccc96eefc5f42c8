/**
 * Message edits of the reflection, at most `limit` at once, apart from the M3 checks: `enter`
 * resolves once the edit has started (waiting only while the lane is full), so the check that
 * found the decision frees its slot while the edit waits for Slack's budget. `drain` waits for
 * every edit started.
 */
export interface EditLane {
  enter(edit: () => Promise<void>): Promise<void>;
  drain(): Promise<void>;
}

export function createEditLane(limit: number, onError: (err: unknown) => void): EditLane {
  const running = new Set<Promise<void>>();
  return {
    async enter(edit) {
      while (running.size >= Math.max(1, limit)) await Promise.race(running);
      const run: Promise<void> = edit()
        .catch(onError)
        .finally(() => running.delete(run));
      running.add(run);
    },
    async drain() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
