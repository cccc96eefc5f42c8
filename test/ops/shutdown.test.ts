import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import {
  createShutdown,
  EXIT_CLEAN,
  EXIT_FORCED,
  EXIT_INCOMPLETE,
  type ShutdownSignal,
  type SignalSource,
} from "../../src/ops/shutdown.ts";

function fakeSignals() {
  const emitter = new EventEmitter();
  const source: SignalSource = {
    on: (e, l) => emitter.on(e, l),
    off: (e, l) => emitter.off(e, l),
  };
  return {
    source,
    send: (s: ShutdownSignal) => emitter.emit(s, s),
    count: (s: ShutdownSignal) => emitter.listenerCount(s),
  };
}

function exitRecorder() {
  const codes: number[] = [];
  let resolve: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => {
    resolve = r;
  });
  return {
    codes,
    exited,
    exit: (code: number) => {
      codes.push(code);
      resolve(code);
    },
  };
}

describe("graceful shutdown", () => {
  it("runs the closers in order on SIGTERM, then exits 0", async () => {
    const signals = fakeSignals();
    const exit = exitRecorder();
    const order: string[] = [];
    const step = (name: string) => ({
      name,
      close: async () => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(name);
      },
    });
    const shutdown = createShutdown({
      closers: [
        step("stop-intake"),
        step("drain-jobs"),
        step("revoke-ion-token"),
        step("close-redis"),
      ],
      signals: signals.source,
      exit: exit.exit,
    });
    shutdown.install();
    expect(signals.count("SIGTERM")).toBe(1);
    signals.send("SIGTERM");
    expect(await exit.exited).toBe(EXIT_CLEAN);
    expect(order).toEqual(["stop-intake", "drain-jobs", "revoke-ion-token", "close-redis"]);
    shutdown.uninstall();
    expect(signals.count("SIGTERM")).toBe(0);
  });

  it("still closes Redis when an earlier step fails, and exits 1", async () => {
    const exit = exitRecorder();
    const order: string[] = [];
    const shutdown = createShutdown({
      closers: [
        {
          name: "revoke-ion-token",
          close: async () =>
            Promise.reject(Object.assign(new Error("x"), { code: "ion_unreachable" })),
        },
        { name: "close-redis", close: async () => void order.push("close-redis") },
      ],
      signals: fakeSignals().source,
      exit: exit.exit,
    });
    const result = await shutdown.run("test");
    expect(order).toEqual(["close-redis"]);
    expect(result.steps[0]).toMatchObject({
      name: "revoke-ion-token",
      ok: false,
      error: "ion_unreachable",
    });
    expect(exit.codes).toEqual([EXIT_INCOMPLETE]);
  });

  it("gives up at the deadline, tells the closer through its signal, and exits 1", async () => {
    const exit = exitRecorder();
    let aborted = false;
    const shutdown = createShutdown({
      deadlineMs: 100,
      closers: [
        {
          name: "drain-jobs",
          close: (signal) =>
            new Promise<void>(() => {
              signal.addEventListener("abort", () => {
                aborted = true;
              });
            }),
        },
        { name: "close-redis", close: async () => {} },
      ],
      signals: fakeSignals().source,
      exit: exit.exit,
    });
    const result = await shutdown.run("test");
    expect(result.timedOut).toBe(true);
    expect(aborted).toBe(true);
    expect(result.steps.map((s) => [s.name, s.error])).toEqual([
      ["drain-jobs", "deadline"],
      ["close-redis", "deadline"],
    ]);
    expect(exit.codes).toEqual([EXIT_INCOMPLETE]);
  });

  it("forces exit on a second signal while closers are still running", async () => {
    const signals = fakeSignals();
    const exit = exitRecorder();
    let release: () => void = () => {};
    const shutdown = createShutdown({
      closers: [
        {
          name: "drain-jobs",
          close: () =>
            new Promise<void>((r) => {
              release = r;
            }),
        },
      ],
      signals: signals.source,
      exit: exit.exit,
    });
    shutdown.install();
    signals.send("SIGTERM");
    expect(shutdown.started).toBe(true);
    signals.send("SIGINT");
    expect(await exit.exited).toBe(EXIT_FORCED);
    // The first run finishing later does not exit a second time.
    release();
    await shutdown.run("again");
    expect(exit.codes).toEqual([EXIT_FORCED]);
    shutdown.uninstall();
  });
});
