import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NODE_FLAGS } from "../../src/ops/node-flags.ts";

const WORKER = fileURLToPath(new URL("./fixtures/worker.ts", import.meta.url));

export interface WorkerEnv {
  redisUrl: string;
  prefix: string;
  slackUrl: string;
  token: string;
  concurrency: number;
  config: Record<string, unknown>;
}

/**
 * Start a worker process (`npx node <NODE_FLAGS> fixtures/worker.ts`, the V8 flags the app is
 * deployed with) and wait for its "ready" line.
 */
export function startWorkerProcess(e: WorkerEnv, timeoutMs = 20_000): Promise<ChildProcess> {
  return startProcess(
    WORKER,
    {
      REDIS_URL: e.redisUrl,
      DLV_PREFIX: e.prefix,
      SLACK_URL: e.slackUrl,
      SLACK_TOKEN: e.token,
      DLV_CONCURRENCY: String(e.concurrency),
      DLV_CONFIG: JSON.stringify(e.config),
    },
    timeoutMs,
    NODE_FLAGS,
  );
}

/** `npx node [flags] <file>` with extra environment; resolves once it prints "ready". */
export async function startProcess(
  file: string,
  extraEnv: Record<string, string>,
  timeoutMs = 20_000,
  nodeFlags: readonly string[] = [],
): Promise<ChildProcess> {
  const child = spawn("npx", ["node", ...nodeFlags, file], {
    env: { ...process.env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
    // own process group: npx forks node, and kill -9 must reach the node process itself
    detached: true,
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker not ready: ${err.slice(-2000)}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited ${code}: ${err.slice(-2000)}`));
    });
  });
  return child;
}

/** Signal the whole process group (npx and the node it started). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function stopWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  killGroup(child, "SIGTERM");
  const t = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
  await exited;
  clearTimeout(t);
}
