import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A private redis-server for the demo and the chaos suite: its own port and folder, so it can be
 * stopped and restarted (the chaos suite does) without touching anyone's shared Redis.
 */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** Its data folder (AOF), deleted by close(). */
  readonly dir: string;
  /** SIGKILL (like a crash) or SIGTERM, then wait for the port to close. */
  stop(signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  /** Start again on the same port and folder (AOF data survives when appendonly is on). */
  start(): Promise<void>;
  /** Stop and delete the folder. */
  close(): Promise<void>;
}

export interface PrivateRedisOptions {
  port?: number;
  appendonly?: boolean;
  binary?: string;
}

export function redisServerAvailable(binary = "redis-server"): boolean {
  return spawnSync(binary, ["--version"], { stdio: "ignore" }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Whether something accepts TCP connections on host:port within `timeoutMs`. */
export function portAnswers(port: number, host = "127.0.0.1", timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const binary = options.binary ?? "redis-server";
  if (!redisServerAvailable(binary)) {
    throw new Error(
      "redis-server is not installed. Install Redis 7 (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a running Redis.",
    );
  }
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "cloudsuite-redis-"));
  let child: ChildProcess | undefined;

  const start = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
    args.push(
      ...(options.appendonly
        ? ["--appendonly", "yes", "--appendfsync", "everysec"]
        : ["--appendonly", "no"]),
    );
    child = spawn(binary, args, { stdio: "ignore" });
    child.unref();
    await waitFor(() => portAnswers(port), 5_000, `redis-server on port ${port}`);
  };
  const stop = async (signal: "SIGKILL" | "SIGTERM" = "SIGTERM") => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child?.once("exit", () => resolve()));
    // The child is unref'd so a running Redis never keeps Node alive; while stopping, it must,
    // or Node can exit before the exit event and leave the folder behind.
    child.ref();
    child.kill(signal);
    await exited;
    await waitFor(async () => !(await portAnswers(port)), 5_000, `port ${port} to close`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    start,
    close: async () => {
      await stop("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
