import type { Logger } from "pino";
import { pino } from "pino";
import { codeOf } from "../shared/error-code.ts";

/**
 * Graceful shutdown. On the first SIGTERM or SIGINT the closers run one after another, in the
 * order given, which is the order that loses nothing:
 *   1. stop taking work (readiness → draining, stop HTTP intake, pause schedulers),
 *   2. finish or release in-flight jobs (BullMQ `worker.close()` waits for active jobs; a job that
 *      cannot finish in time is left to BullMQ's stalled-job check and re-run elsewhere, never
 *      half-done),
 *   3. revoke the ION token,
 *   4. close Redis (last: everything above may still need it).
 * A closer that fails is logged and the next one still runs. A deadline bounds the whole:
 * Docker waits 10 s and Kubernetes 30 s by default before SIGKILL, so the default (25 s) exits
 * on our terms first; compose.yaml sets stop_grace_period to match. A second signal forces exit.
 */

export interface Closer {
  name: string;
  /** The signal aborts when the deadline passes: stop waiting and return. */
  close: (signal: AbortSignal) => Promise<void>;
}

export type ShutdownSignal = "SIGTERM" | "SIGINT";

/** What `process` offers; injected in tests. */
export interface SignalSource {
  on(event: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
  off(event: ShutdownSignal, listener: (signal: ShutdownSignal) => void): unknown;
}

export interface ShutdownOptions {
  closers: readonly Closer[];
  deadlineMs?: number;
  signals?: SignalSource;
  exit?: (code: number) => void;
  logger?: Logger;
  now?: () => number;
}

export interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  skipped?: boolean;
}

export interface ShutdownResult {
  reason: string;
  ok: boolean;
  timedOut: boolean;
  steps: StepResult[];
}

export interface Shutdown {
  /** Listen for SIGTERM and SIGINT. */
  install(): void;
  uninstall(): void;
  /** Run the closers once (later calls return the same promise), then call `exit`. */
  run(reason: string): Promise<ShutdownResult>;
  readonly started: boolean;
}

export const EXIT_CLEAN = 0;
export const EXIT_INCOMPLETE = 1;
/** 128 + SIGINT(2): the shell convention for "ended by a signal", used when forced. */
export const EXIT_FORCED = 130;

export function createShutdown(options: ShutdownOptions): Shutdown {
  const signals: SignalSource = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const logger = options.logger ?? pino({ level: "silent" });
  const now = options.now ?? Date.now;
  const deadlineMs = options.deadlineMs ?? 25_000;
  let running: Promise<ShutdownResult> | undefined;
  let exited = false;

  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    exit(code);
  };

  const execute = async (reason: string): Promise<ShutdownResult> => {
    logger.info({ reason, deadlineMs }, "shutting down");
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
        resolve("deadline");
      }, deadlineMs);
      timer.unref();
    });
    const steps: StepResult[] = [];
    for (const closer of options.closers) {
      if (timedOut) {
        steps.push({ name: closer.name, ok: false, ms: 0, skipped: true, error: "deadline" });
        continue;
      }
      const started = now();
      try {
        const outcome = await Promise.race([
          closer.close(controller.signal).then(() => "done" as const),
          deadline,
        ]);
        if (outcome === "deadline") {
          steps.push({ name: closer.name, ok: false, ms: now() - started, error: "deadline" });
          logger.error({ step: closer.name }, "shutdown deadline passed");
        } else {
          steps.push({ name: closer.name, ok: true, ms: now() - started });
          logger.info({ step: closer.name, ms: now() - started }, "shutdown step done");
        }
      } catch (err) {
        const code = codeOf(err) ?? "failed";
        steps.push({ name: closer.name, ok: false, ms: now() - started, error: code });
        logger.error({ err, step: closer.name }, "shutdown step failed; continuing");
      }
    }
    clearTimeout(timer);
    const ok = steps.every((s) => s.ok);
    const result: ShutdownResult = { reason, ok, timedOut, steps };
    logger.info({ ok, timedOut }, "shutdown finished");
    exitOnce(ok ? EXIT_CLEAN : EXIT_INCOMPLETE);
    return result;
  };

  const onSignal = (signal: ShutdownSignal) => {
    if (running) {
      logger.warn({ signal }, "second signal: exiting now");
      exitOnce(EXIT_FORCED);
      return;
    }
    void shutdown.run(signal);
  };

  const shutdown: Shutdown = {
    install: () => {
      signals.on("SIGTERM", onSignal);
      signals.on("SIGINT", onSignal);
    },
    uninstall: () => {
      signals.off("SIGTERM", onSignal);
      signals.off("SIGINT", onSignal);
    },
    run: (reason) => {
      running ??= execute(reason);
      return running;
    },
    get started() {
      return running !== undefined;
    },
  };
  return shutdown;
}
