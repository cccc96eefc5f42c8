import type { Rng } from "./random.ts";

/**
 * Generators of hostile `/infor` texts. Slack passes the text after the command name verbatim; it
 * publishes no length limit for it, so "huge" goes up to the 40,000-character message text limit
 * (chat.postMessage `msg_too_long`), the largest text Slack handles anywhere.
 */
export const SLACK_TEXT_LIMIT = 40_000;

const COMMANDS = ["po", "invoice", "supplier", "payment", "gl", "status", "replay", "help"];

export const INJECTIONS = [
  "' or 1=1",
  "' OR '1'='1' --",
  "1000001' or IBPUNO > '0",
  "x' and E5CUAM > 0 or 'a'='a",
  "* from FAPIBH where E5CONO = 100",
  "EXPORTMI/Select?QERY=*%20from%20CIDMAS",
  "'; DROP TABLE FAPIBH; --",
  '" OR ""="',
  "1; SELECT * FROM users",
  "../../../../etc/passwd",
  "%2e%2e%2f%2e%2e%2f",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, literal on purpose
  "${process.env.SLACK_BOT_TOKEN}",
  "{{constructor.constructor('return process')()}}",
  "__proto__",
  "constructor",
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "<@U0ADMIN001>",
  "<!subteam^S0APPROVER>",
  "<#C0PRIV0001|controllers>",
  "<https://evil.example/|click me>",
  "*bold* _it_ ~strike~ `code` ```block```",
  "&lt;script&gt;alert(1)&lt;/script&gt;",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "$(rm -rf /)",
  "`id`",
  "| cat /etc/shadow",
  "\r\nX-Injected: 1",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "9".repeat(400),
];

const RTL_AND_INVISIBLE = [
  "\u200f", // right-to-left mark
  "\u200e", // left-to-right mark
  "\u202e", // right-to-left override
  "\u2066", // left-to-right isolate
  "\u200b", // zero-width space
  "\u200c", // zero-width non-joiner
  "\u200d", // zero-width joiner
  "\u2060", // word joiner
  "\ufeff", // byte order mark
  "\u00a0", // no-break space
  "\u3000", // ideographic space
  "\u2028", // line separator
];

const SAMPLES = [
  "فاتورة",
  "חשבונית",
  "請求書",
  "счёт-фактура",
  "Ωμέγα",
  "Ñandú",
  "🧾",
  "💸",
  "👩🏽‍💼",
  "🏳️‍🌈",
  "e\u0301",
  "\ud83d", // lone surrogate
  "\udc00",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "Z̷̢̛͎a̸̡͝l̵g̶o̶",
];

function controlChar(rng: Rng): string {
  const code = rng.chance(0.8) ? rng.int(0, 31) : rng.int(127, 159);
  return String.fromCharCode(code);
}

function randomCodePoint(rng: Rng): string {
  const r = rng.next();
  if (r < 0.4) return String.fromCharCode(rng.int(32, 126));
  if (r < 0.6) return String.fromCodePoint(rng.int(0xa0, 0x2fff));
  if (r < 0.75) return String.fromCodePoint(rng.int(0x1f300, 0x1faff));
  if (r < 0.85) return rng.pick(RTL_AND_INVISIBLE);
  if (r < 0.95) return controlChar(rng);
  return String.fromCodePoint(rng.int(0x10000, 0x10ffff));
}

function randomWord(rng: Rng): string {
  const kind = rng.int(0, 6);
  switch (kind) {
    case 0:
      return rng.pick(INJECTIONS);
    case 1:
      return rng.pick(SAMPLES);
    case 2:
      return String(rng.int(0, 10 ** rng.int(1, 12)));
    case 3:
      return `INV-${rng.int(1, 99999)}`;
    case 4:
      return rng.pick(COMMANDS).toUpperCase();
    default: {
      let w = "";
      const n = rng.int(1, 24);
      for (let i = 0; i < n; i++) w += randomCodePoint(rng);
      return w;
    }
  }
}

function separator(rng: Rng): string {
  return rng.pick([" ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u200b", "\u3000", ""]);
}

/** One fuzzed text: often a real command name first, so the fuzzer reaches every argument path. */
export function fuzzCommandText(rng: Rng): string {
  const shape = rng.next();
  if (shape < 0.03) return "";
  if (shape < 0.06) return separator(rng).repeat(rng.int(1, 50));
  if (shape < 0.1) {
    // Huge: up to Slack's text limit, with or without a command in front.
    const unit = randomWord(rng) || "x";
    const size = rng.int(1_000, SLACK_TEXT_LIMIT);
    const body = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    return rng.chance(0.5) ? `${rng.pick(COMMANDS)} ${body}` : body;
  }
  const words: string[] = [];
  if (rng.chance(0.75)) words.push(rng.chance(0.9) ? rng.pick(COMMANDS) : randomWord(rng));
  const n = rng.int(0, 5);
  for (let i = 0; i < n; i++) words.push(randomWord(rng));
  let text = "";
  for (const w of words) text += (text ? separator(rng) : "") + w;
  if (rng.chance(0.1)) text = rng.pick(RTL_AND_INVISIBLE) + text;
  if (rng.chance(0.1)) text += controlChar(rng);
  return text;
}
