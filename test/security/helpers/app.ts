import { createHmac } from "node:crypto";
import pino from "pino";
import { type Harness, startHarness } from "../../slack/helpers/harness.ts";

/**
 * The real Bolt app (src/slack) behind the Slack emulator, as test/slack's harness builds it, with
 * every log line captured (debug level, so nothing a secret could hide in is dropped) for the
 * secret scan, and a raw signed POST for payloads the platform actor would never send.
 */
export interface SecurityHarness extends Harness {
  logLines: string[];
  /** The secrets this run uses: none may appear in any log line, message or answer. */
  secrets: string[];
  url: string;
  /** POST `body` to the app, correctly signed now (so only the body is under test). */
  signedPost(body: string, contentType?: string): Promise<{ status: number; text: string }>;
}

export async function startSecurityHarness(name: string): Promise<SecurityHarness> {
  const logLines: string[] = [];
  const logger = pino(
    { level: "debug" },
    {
      write(line: string) {
        logLines.push(line);
      },
    },
  );
  const h = await startHarness(name, {
    logger,
    // Lookups are what fuzzed commands reach; the per-user budget is tested in test/slack.
    limits: { lookupsPerMinute: 1_000_000 },
  });
  const url = `http://127.0.0.1:${h.port}/slack/events`;
  return {
    ...h,
    logLines,
    secrets: [h.emu.botToken, h.emu.signingSecret],
    url,
    async signedPost(body, contentType = "application/x-www-form-urlencoded") {
      const ts = Math.floor(Date.now() / 1000);
      const sig = `v0=${createHmac("sha256", h.emu.signingSecret).update(`v0:${ts}:${body}`).digest("hex")}`;
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": contentType,
          "x-slack-request-timestamp": String(ts),
          "x-slack-signature": sig,
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      return { status: res.status, text: await res.text() };
    },
  };
}

/** Everything the emulator recorded that people or logs could see, as one list of strings. */
export function emulatorTexts(h: Harness): string[] {
  const out: string[] = [];
  for (const c of h.emu.inspect.channels()) {
    out.push(JSON.stringify(h.emu.inspect.allMessages(c.id)));
  }
  out.push(JSON.stringify(h.emu.inspect.ephemerals({})));
  out.push(JSON.stringify(h.emu.inspect.responseUrlPosts()));
  out.push(JSON.stringify(h.emu.inspect.views({})));
  out.push(JSON.stringify(h.emu.inspect.requests({})));
  out.push(JSON.stringify(h.emu.inspect.platformRequests()));
  return out;
}

/** Number of places where any of `secrets` occurs in `texts`. */
export function secretHits(texts: readonly string[], secrets: readonly string[]): string[] {
  const hits: string[] = [];
  for (const [i, t] of texts.entries()) {
    for (const s of secrets) if (s && t.includes(s)) hits.push(`text #${i} holds a secret`);
  }
  return hits;
}

/** A JS stack frame ("    at fn (file.ts:12:5)") or an error class name leaking to a person. */
export const STACK_TRACE = /\n\s+at\s.+:\d+:\d+|\b(TypeError|ReferenceError|SyntaxError)\b/;
