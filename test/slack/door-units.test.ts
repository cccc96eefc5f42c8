import { describe, expect, it } from "vitest";
import { BOLT_INSTALL_PATHS, decidePath } from "../../src/slack/door/request-path.ts";
import { cleanFreeText } from "../../src/slack/free-text.ts";

/**
 * The path decision against Bolt 5.1's own routing: HTTPReceiver routes on
 * `new URL(req.url, "http://localhost").pathname`. Property: no target that Bolt would route to
 * the endpoint or to its install paths is ever handed on ("other"); only the exact endpoint
 * spelling is "slack". Targets are built from a seeded generator of risky pieces.
 */
const ENDPOINT = "/slack/events";
const PIECES = [
  "/",
  "slack",
  "events",
  "Events",
  ".",
  "..",
  "%2e",
  "%2E",
  ".%2e",
  "%2e%2e",
  "\\",
  "%5c",
  "%2f",
  "#",
  "#x",
  "?",
  "?a=1",
  ";",
  ";x",
  "x",
  "//",
  "http://h",
  "HTTP://h:1",
  "%65",
  "%00",
  "install",
  "oauth_redirect",
  " ",
  "%20",
  "\t",
];

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function boltPath(target: string): string | undefined {
  try {
    return new URL(target, "http://localhost").pathname;
  } catch {
    return undefined;
  }
}

describe("decidePath", () => {
  it("never hands on a target Bolt would route to a Slack path (20,000 generated targets)", () => {
    const rnd = seeded(14);
    const slackPaths = new Set<string>([ENDPOINT, ...BOLT_INSTALL_PATHS]);
    let reachedBolt = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const n = 1 + Math.floor(rnd() * 8);
      let target = rnd() < 0.5 ? "/slack/" : "";
      for (let j = 0; j < n; j += 1) target += PIECES[Math.floor(rnd() * PIECES.length)];
      const d = decidePath(target, [ENDPOINT]);
      const bolt = boltPath(target);
      if (bolt !== undefined && slackPaths.has(bolt)) {
        reachedBolt += 1;
        expect(d.door === "other" ? target : "ok").toBe("ok");
      }
      if (d.door === "slack") expect(target).toBe(ENDPOINT);
    }
    // The generator does produce such spellings (else the property would hold vacuously).
    expect(reachedBolt).toBeGreaterThan(100);
  });

  it("lets the exact endpoint and ordinary ops routes through", () => {
    expect(decidePath(ENDPOINT, [ENDPOINT]).door).toBe("slack");
    expect(decidePath("/healthz", [ENDPOINT]).door).toBe("other");
    expect(decidePath("/metrics?x=1", [ENDPOINT]).door).toBe("other");
    expect(decidePath("/ion/bod", [ENDPOINT]).door).toBe("other");
  });
});

describe("cleanFreeText", () => {
  it("removes controls, bidi overrides and zero-width spaces, keeps line breaks and emoji", () => {
    const r = cleanFreeText("a\u0007b\r\nc\u202ed\u2066e\u200bf 👩‍💻\u0085", 100);
    expect(r).toEqual({ ok: true, text: "ab\ncdef 👩‍💻" });
  });

  it("refuses past the bound, counted in code points", () => {
    expect(cleanFreeText("é".repeat(500), 500).ok).toBe(true);
    expect(cleanFreeText("é".repeat(501), 500)).toMatchObject({ ok: false });
    expect(cleanFreeText(undefined, 10)).toEqual({ ok: true, text: "" });
  });
});
