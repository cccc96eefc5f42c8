import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/**
 * A private redis-server for tests that stop and start Redis: the shared one on 6379 serves
 * every other test running at the same time and must never be stopped.
 */
export class PrivateRedis {
  port = 0;
  #child: ChildProcess | undefined;

  async freePort(): Promise<number> {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const address = srv.address();
    const port = typeof address === "object" && address ? address.port : 0;
    await new Promise<void>((r) => srv.close(() => r()));
    return port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await this.freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("redis-server did not start")), 10_000);
      child.stdout?.on("data", (d: Buffer) => {
        if (d.toString().includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    this.#child = undefined;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }
}
