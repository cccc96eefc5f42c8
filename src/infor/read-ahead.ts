/**
 * Iterate `source` while its next item is already being fetched: the caller's work on page k
 * (e.g. reading that page's lines) overlaps the request for page k+1, so a poller keeps two
 * requests in flight and the shared requests-per-minute budget, not the gateway's latency,
 * sets the pace. Order is kept; errors surface in order; stopping early closes the source.
 */
export async function* readAhead<T>(
  source: AsyncIterable<T>,
  /**
   * Called with each item as soon as it arrives, while the caller may still be working on the
   * one before (e.g. to start the reads its handling will need). A hint: its errors are ignored.
   */
  onArrive?: (item: T) => void,
): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const fetch = () => {
    const next = it.next();
    if (!onArrive) return next;
    return next.then((r) => {
      if (!r.done) {
        try {
          onArrive(r.value);
        } catch {
          // A hint that failed changes nothing: the item is handled as it would have been.
        }
      }
      return r;
    });
  };
  let pending = fetch();
  // Marks the prefetch as handled so a failure after the consumer stops is not "unhandled".
  pending.catch(() => undefined);
  let done = false;
  try {
    for (;;) {
      const r = await pending;
      if (r.done) {
        done = true;
        return;
      }
      pending = fetch();
      pending.catch(() => undefined);
      yield r.value;
    }
  } finally {
    if (!done) {
      // Let the in-flight fetch settle before closing, so nothing runs after we return.
      await pending.then(
        () => it.return?.(),
        () => undefined,
      );
    }
  }
}
