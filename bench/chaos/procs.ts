import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export type AppRole = "worker" | "scheduler" | "web";
export type ProcessMode = "app" | "serve";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Output kept per process for the secret scan (logs run at warn: far below this). */
const OUTPUT_CAP = 32 * 1024 * 1024;

/**
 * THE switch: how an app process is started. `app` runs the composed app through
 * bench/chaos/app-process.ts (startApp with a time scale); `serve` runs the shipped CLI,
 * `npx node src/cli.ts serve --role <role>`, which has no time-scale flag (use it with
 * timeScale 1 and a small workload).
 */
export function processCommand(
  mode: ProcessMode,
  role: AppRole,
): { command: string; args: string[] } {
  if (mode === "serve") {
    return { command: "npx", args: ["node", "src/cli.ts", "serve", "--role", role] };
  }
  return { command: "npx", args: ["node", "bench/chaos/app-process.ts", "--role", role] };
}

export interface AppProcess {
  role: AppRole;
  name: string;
  child: ChildProcess;
  /** Last lines of stderr, for the report when something goes wrong. */
  stderrTail(): string;
  /** Everything it wrote (stdout and stderr, capped), for the secret scan. */
  output(): string;
  /** Set when the process exited without being told to (a crash of the app itself). */
  unexpectedExit?: string;
  /** Set before we kill or stop it. */
  stopping?: boolean;
  /** The web role's base URL, from its "ready <url>" line (app mode). */
  url?: string;
}

/** Start one process in its own group (npx forks node; a SIGKILL must reach node itself). */
export async function startAppProcess(
  mode: ProcessMode,
  role: AppRole,
  name: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<AppProcess> {
  const { command, args } = processCommand(mode, role);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let err = "";
  const chunks: string[] = [];
  let size = 0;
  const keep = (d: Buffer) => {
    if (size > OUTPUT_CAP) return;
    size += d.length;
    chunks.push(d.toString());
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // CHAOS_LOG_DIR keeps every process's log (stderr) for a post-mortem.
  const logDir = process.env.CHAOS_LOG_DIR;
  child.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    if (logDir) appendFileSync(join(logDir, `${name}.log`), d);
  });
  // The app logs (pino) to stdout.
  if (logDir)
    child.stdout?.on("data", (d: Buffer) => appendFileSync(join(logDir, `${name}.log`), d));
  const proc: AppProcess = {
    role,
    name,
    child,
    stderrTail: () => err,
    output: () => chunks.join(""),
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child, "SIGKILL");
      reject(new Error(`${name} not ready in ${timeoutMs} ms: ${err.slice(-1500)}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      // app-process prints "ready"; serve prints "cloudsuite-slack running (…)".
      const text = d.toString();
      if (/\bready\b|running \(/.test(text)) {
        const url = /\bready (http:\/\/\S+)/.exec(text)?.[1];
        if (url) proc.url = url;
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before ready: ${err.slice(-1500)}`));
    });
  });
  child.removeAllListeners("exit");
  child.once("exit", (code, signal) => {
    if (!proc.stopping) proc.unexpectedExit = `exit ${code ?? signal}: ${err.slice(-300)}`;
  });
  return proc;
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGKILL, like a crash or an OOM kill: no shutdown handler runs. */
export async function crash(p: AppProcess): Promise<void> {
  p.stopping = true;
  const exited = new Promise<void>((r) => p.child.once("exit", () => r()));
  killGroup(p.child, "SIGKILL");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
}

/** SIGTERM (graceful), then SIGKILL after `graceMs`. */
export async function stopAppProcess(p: AppProcess, graceMs = 8_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.stopping = true;
  const exited = new Promise<void>((r) => p.child.once("exit", () => r()));
  killGroup(p.child, "SIGTERM");
  const timer = setTimeout(() => killGroup(p.child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
