/**
 * Iterate `source` while its next item is already being fetched: the caller's work on page k
 * (e.g. reading that page's lines) overlaps the request for page k+1, so a poller keeps two
 * requests in flight and the shared requests-per-minute budget, not the gateway's latency,
 * sets the pace. Order is kept; errors surface in order; stopping early closes the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
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
      pending = it.next();
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
