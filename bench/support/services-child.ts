import { type ChildProcess, fork } from "node:child_process";
import type { IonapiFile } from "../../sandbox/infor-sim/server.ts";

/**
 * The Infor simulator and the Slack emulator in a process of their own, for benches that measure
 * the product's own cost (bench/scenarios/pipeline.ts). In production ION and Slack are remote:
 * in the bench process their HTTP servers, data and message stores took a share of the one
 * event loop the pipeline runs on, and that share was counted against the pipeline. The child
 * reports the emulator's new messages per channel back over IPC, one message per event-loop
 * turn of the child (a count per channel), so the parent still sees every post.
 */

/** What the parent asks for: the emulator's channels and limits, the simulator's data. */
export interface ServicesConfig {
  channels: number;
  /** Every limit of the emulator (posts per channel and workspace, each tier) at this bucket. */
  open: { ratePerSecond: number; burst: number };
  sim: {
    seed: number;
    invoices: number;
    purchaseOrders: number;
    suppliersPerCompany: number;
  };
}

export interface RemoteServices {
  emu: { url: string; botToken: string };
  sim: { tenant: string; ionapi: IonapiFile };
  /** Called with each batch of new messages: channel → how many. */
  onMessages(listener: (counts: [string, number][]) => void): void;
  /** CPU seconds the child has used so far (user + system). */
  cpuSeconds(): Promise<number>;
  close(): Promise<void>;
}

type ToParent =
  | {
      type: "ready";
      emu: { url: string; botToken: string };
      sim: { tenant: string; ionapi: IonapiFile };
    }
  | { type: "messages"; counts: [string, number][] }
  | { type: "cpu"; seconds: number }
  | { type: "error"; message: string };

export async function startServicesChild(config: ServicesConfig): Promise<RemoteServices> {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ["--child"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const listeners: ((counts: [string, number][]) => void)[] = [];
  const cpuAnswers: ((seconds: number) => void)[] = [];
  const ready = new Promise<Extract<ToParent, { type: "ready" }>>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`services child exited with ${code}`)));
    child.on("message", (m: ToParent) => {
      if (m.type === "ready") resolve(m);
      else if (m.type === "error") reject(new Error(m.message));
      else if (m.type === "cpu") cpuAnswers.shift()?.(m.seconds);
      else for (const l of listeners) l(m.counts);
    });
  });
  child.send(config);
  const r = await ready;
  return {
    emu: r.emu,
    sim: r.sim,
    onMessages: (l) => listeners.push(l),
    cpuSeconds: () =>
      new Promise<number>((resolve) => {
        cpuAnswers.push(resolve);
        child.send("cpu");
      }),
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send("close");
      await exited;
    },
  };
}

async function runChild(): Promise<void> {
  const [{ startInforSim }, { startSlackEmu }, { seedWithChannels }] = await Promise.all([
    import("../../sandbox/infor-sim/server.ts"),
    import("../../sandbox/slack-emu/server.ts"),
    import("../../test/delivery/emu.ts"),
  ]);
  const send = (m: ToParent) => process.send?.(m);
  process.once("message", async (config: ServicesConfig) => {
    try {
      const open = config.open;
      const emu = await startSlackEmu({
        seed: seedWithChannels(config.channels),
        limits: {
          postMessagePerChannel: open,
          postMessageWorkspace: open,
          tiers: { 1: open, 2: open, 3: open, 4: open },
        },
      });
      const sim = await startInforSim({ port: 0, seed: config.sim.seed, data: config.sim });
      // New messages, counted per channel and sent once per turn of this process's loop.
      let pending = new Map<string, number>();
      let scheduled = false;
      emu.inspect.subscribe((e) => {
        if (e.type !== "message") return;
        pending.set(e.channel, (pending.get(e.channel) ?? 0) + 1);
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          const counts = [...pending];
          pending = new Map();
          send({ type: "messages", counts });
        });
      });
      process.on("message", async (m) => {
        if (m === "cpu") {
          const { user, system } = process.cpuUsage();
          send({ type: "cpu", seconds: (user + system) / 1e6 });
          return;
        }
        if (m !== "close") return;
        await sim.close();
        await emu.close();
        process.disconnect();
      });
      send({
        type: "ready",
        emu: { url: emu.url, botToken: emu.botToken },
        sim: { tenant: sim.tenant, ionapi: sim.ionapi },
      });
    } catch (err) {
      send({ type: "error", message: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    }
  });
}

if (process.argv.includes("--child") && process.send) await runChild();
