import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { App } from "@slack/bolt";
import { type Logger, LogLevel, WebClient } from "@slack/web-api";
import type { SlackEmu } from "../../sandbox/slack-emu/server.ts";

// The client logs response_metadata errors; tests assert on them instead.
export const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export function clientFor(
  emu: SlackEmu,
  extra: { timeout?: number; token?: string } = {},
): WebClient {
  return new WebClient(extra.token ?? emu.botToken, {
    slackApiUrl: emu.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: quiet,
    ...(extra.timeout ? { timeout: extra.timeout } : {}),
  });
}

/**
 * The real Bolt framework behind the emulator: `register` adds the handlers, then the app starts
 * on an ephemeral port and the emulator's platform sends it signed requests.
 */
export async function startBoltApp(emu: SlackEmu, register: (app: App) => void): Promise<App> {
  const app = new App({
    token: emu.botToken,
    signingSecret: emu.signingSecret,
    // Given ids skip the auth.test Bolt 5 runs in its constructor (toolchain notes).
    botId: "B0EMUBOT01",
    botUserId: "U0BOT00001",
    clientOptions: { slackApiUrl: emu.url },
    logLevel: LogLevel.ERROR,
    logger: quiet,
  });
  register(app);
  const server = (await app.start(0)) as unknown as { address(): AddressInfo };
  emu.control.setAppRequestUrl(`http://127.0.0.1:${server.address().port}/slack/events`);
  return app;
}

/** Runs `fn` and returns the Web API client's error (fails the test when nothing is thrown). */
export async function errorOf(fn: () => Promise<unknown>): Promise<{
  code?: string;
  data?: { error?: string; response_metadata?: { messages?: string[] } };
  retryAfter?: number;
  statusCode?: number;
}> {
  try {
    await fn();
  } catch (err) {
    return err as never;
  }
  throw new Error("expected the call to fail");
}

export interface Captured {
  headers: IncomingMessage["headers"];
  body: string;
}

export interface FakeApp {
  url: string;
  requests: Captured[];
  close(): Promise<void>;
}

/** A bare HTTP app that records what the platform sends and answers with `reply`. */
export async function startFakeApp(
  reply: (req: Captured, res: ServerResponse) => void = (_r, res) => {
    res.writeHead(200).end();
  },
): Promise<FakeApp> {
  const requests: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const captured = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(captured);
      reply(captured, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
