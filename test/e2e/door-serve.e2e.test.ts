import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { signedHeaders } from "../../sandbox/slack-emu/sign.ts";
import { type RawRequest, rawRequest } from "../security/helpers/raw-http.ts";
import { eventually, REDIS_URL } from "./helpers.ts";
import { spawnServe } from "./serve-process.ts";

/**
 * Issue 14's probes against `serve --role all` on loopback, as the issue sent them: every answer
 * is 400/401/404/413, the process stays up, and only the one verified request leaves a replay
 * key. (test/security/door.e2e.test.ts has the full set against the app with audit counting.)
 */
const prefix = `test:e2e-door:${randomBytes(4).toString("hex")}:`;
const FORM = "application/x-www-form-urlencoded";
let sim: InforSim;
let emu: SlackEmu;
let child: ChildProcess;
let output = "";
let dir = "";
let signingSecret = "";

beforeAll(async () => {
  sim = await startInforSim({
    port: 0,
    seed: 14,
    data: { suppliersPerCompany: 2, purchaseOrders: 2, invoices: 2, manualVouchers: 1 },
  });
  signingSecret = randomBytes(16).toString("hex");
  emu = await startSlackEmu({ port: 0, signingSecret });
  ({ child, dir } = spawnServe({
    sim,
    emu,
    signingSecret,
    prefix,
    since: new Date().toISOString().slice(0, 10),
    logLevel: "debug",
    tmpName: "cs-door-",
  }));
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
  await emu?.close();
  await sim?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function signed(target: string, body: string, skew = 0, sigSuffix = ""): RawRequest {
  const h = signedHeaders(signingSecret, Math.floor(Date.now() / 1000) + skew, body, FORM);
  return {
    target,
    body,
    headers: [
      ["content-type", FORM],
      ["x-slack-request-timestamp", String(h["x-slack-request-timestamp"])],
      ["x-slack-signature", `${h["x-slack-signature"]}${sigSuffix}`],
    ],
  };
}

describe("serve --role all: the issue's probes", () => {
  it("answers each probe with 400/401/404/413 and keeps serving", async () => {
    const url = await eventually(
      () => /Slack request URL (\S+)/.exec(output)?.[1],
      30_000,
      `the start line (${output.slice(0, 500)})`,
    );
    const port = Number(new URL(url).port);
    const send = (r: RawRequest) => rawRequest(port, r).then((x) => x.status);
    const redis = new Redis(REDIS_URL);
    try {
      const sigKeys = async () => (await redis.keys(`${prefix}slack-sig:*`)).length;
      const command = new URLSearchParams({
        command: "/infor",
        text: "help",
        user_id: "U0CLERK001",
        channel_id: "C0CC100001",
        response_url: `${emu.origin}/response/door`,
        trigger_id: "1.2.3",
      }).toString();
      const nullActions = `payload=${encodeURIComponent(
        JSON.stringify({ type: "block_actions", user: { id: "U0CLERK001" }, actions: null }),
      )}`;
      const answers: Record<string, number> = {};
      for (const target of [
        "/slack/events#x",
        "/slack/./events",
        "/slack/x/../events",
        "/slack\\events",
        "http://host/slack/events",
        "/slack/%2e/events",
        "/slack/events/",
        "/slack/events?x=1",
      ]) {
        answers[`${target} (signed command)`] = await send(signed(target, command));
        answers[`${target} (signed payload=null)`] = await send(signed(target, "payload=null"));
      }
      answers["future +50 min (signed)"] = await send(signed("/slack/events", command, 3000));
      answers["signature + '=1'"] = await send(signed("/slack/events", command, 0, "=1"));
      answers["signed, actions null"] = await send(signed("/slack/events", nullActions));
      answers["2 MiB declared"] = await send({
        ...signed("/slack/events", command),
        contentLength: 2 * 1024 * 1024,
      });
      expect(await sigKeys()).toBe(0);
      const original = signed("/slack/events", command);
      answers["verified original"] = await send(original);
      answers["same bytes again"] = await send(original);
      const suffixed: RawRequest = {
        ...original,
        headers: (original.headers ?? []).map(
          ([k, v]) => [k, k === "x-slack-signature" ? `${v}=1` : v] as const,
        ),
      };
      answers["same + '=1'"] = await send(suffixed);
      answers["same via /slack/./events"] = await send({ ...original, target: "/slack/./events" });
      const expected: Record<string, number> = {};
      for (const k of Object.keys(answers)) expected[k] = k.includes("(signed") ? 404 : 0;
      Object.assign(expected, {
        "future +50 min (signed)": 401,
        "signature + '=1'": 401,
        "signed, actions null": 400,
        "2 MiB declared": 413,
        "verified original": 200,
        "same bytes again": 401,
        "same + '=1'": 401,
        "same via /slack/./events": 404,
      });
      expect(answers).toEqual(expected);
      expect(await sigKeys()).toBe(1);
      expect(child.exitCode).toBeNull();
      expect((await fetch(url.replace(/\/slack\/events$/, "/healthz"))).status).toBe(200);
      const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const sig = original.headers?.find(([k]) => k === "x-slack-signature")?.[1] ?? "";
      expect(output).not.toContain(sig.slice(3, 40));
    } finally {
      await redis.quit();
    }
  }, 120_000);
});
