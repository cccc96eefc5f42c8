/**
 * Bytes held by request bodies that are not verified yet, across all requests at once. Each
 * request may hold up to its own cap, but together they may not pass `limit`: a flood of
 * unfinished uploads then costs a bounded amount of memory instead of one cap per connection.
 */
export class BodyBudget {
  #held = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  get held(): number {
    return this.#held;
  }

  /** Takes `bytes` when they fit; false (nothing taken) when they would pass the limit. */
  take(bytes: number): boolean {
    if (this.#held + bytes > this.limit) return false;
    this.#held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#held = Math.max(0, this.#held - bytes);
  }
}
