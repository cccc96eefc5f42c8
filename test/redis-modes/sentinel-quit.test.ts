import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/quit-sentinel.ts", import.meta.url));

describe("a Sentinel client that quits", () => {
  // ioredis 6 closes the failover detector's sentinel connections only on disconnect(): without
  // shared/redis-client.ts releasing them, this process never exits.
  it("lets its process exit", async () => {
    const child = spawn("npx", ["node", FIXTURE], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("still running after 20 s");
      }, 20_000);
      child.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c ?? -1);
      });
    });
    expect(out).toContain("quit");
    expect(code).toBe(0);
  }, 30_000);
});
