import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * Event-loop delay over a rolling window. A probe that is answered at all proves the loop runs
 * now; this tells whether it has been blocked for long stretches (a synchronous parse, a CPU-bound
 * loop), which starves Bolt's 3-second acknowledgements long before the process looks dead.
 */
export interface EventLoopMonitor {
  /** Worst delay (ms) seen in the current or last completed window. */
  maxDelayMs(): number;
  /** 99th percentile delay (ms) over the same window. */
  p99DelayMs(): number;
  stop(): void;
}

export function createEventLoopMonitor(options: { windowMs?: number } = {}): EventLoopMonitor {
  const windowMs = options.windowMs ?? 30_000;
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  let last = { max: 0, p99: 0 };
  const timer = setInterval(() => {
    last = { max: histogram.max / 1e6, p99: histogram.percentile(99) / 1e6 };
    histogram.reset();
  }, windowMs);
  // A monitor must never keep the process alive on its own.
  timer.unref();
  const current = () => ({
    max: histogram.count > 0 ? histogram.max / 1e6 : 0,
    p99: histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0,
  });
  return {
    maxDelayMs: () => Math.max(last.max, current().max),
    p99DelayMs: () => Math.max(last.p99, current().p99),
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
