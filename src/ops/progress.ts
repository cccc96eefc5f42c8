/**
 * "Last progress" heartbeats per worker. A worker calls `beat(name)` whenever it finishes a unit
 * of work (a job, a poll page); liveness compares that with the pending work. A worker that is
 * connected to Redis but has not completed anything for minutes while jobs wait is stuck, and
 * only a restart frees it: that is what "workers making progress" means, as opposed to "Redis
 * answers PING".
 */
export class ProgressTracker {
  readonly #now: () => number;
  readonly #last = new Map<string, number>();
  readonly #startedAt: number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#startedAt = now();
  }

  beat(worker: string): void {
    this.#last.set(worker, this.#now());
  }

  /** Last beat in epoch ms; the tracker's creation time for a worker that never beat. */
  lastProgressAt(worker: string): number {
    return this.#last.get(worker) ?? this.#startedAt;
  }
}
