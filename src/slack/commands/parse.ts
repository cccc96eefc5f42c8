/**
 * `/infor` text → command, or a help result that shows the right form. Pure: no I/O, never throws.
 */
export type GlPeriod = { year: number; period: number };

export type InforCommand =
  | { kind: "po"; number: string }
  | { kind: "invoice"; number: string; supplier?: string }
  | { kind: "supplier"; query: string; byId: boolean }
  | { kind: "payment"; reference: string }
  | { kind: "gl"; account: string; period?: GlPeriod }
  | { kind: "status" }
  | { kind: "replay"; target: ReplayTarget }
  | { kind: "help"; topic?: CommandName };

export type ReplayTarget = { by: "alert"; alertId: string } | { by: "since"; since: string };

export const COMMAND_NAMES = [
  "po",
  "invoice",
  "supplier",
  "payment",
  "gl",
  "status",
  "replay",
  "help",
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export type ParseResult =
  | { ok: true; command: InforCommand }
  | { ok: false; code: ParseErrorCode; message: string; topic?: CommandName };

export type ParseErrorCode =
  | "unknown_command"
  | "missing_argument"
  | "too_many_arguments"
  | "bad_argument";

/** Usage line and examples per command: the help view and every error show these. */
export const USAGE: Readonly<Record<CommandName, { form: string; examples: string[] }>> = {
  po: { form: "/infor po <number>", examples: ["/infor po 4500012345"] },
  invoice: {
    form: "/infor invoice <number>  or  /infor invoice <supplier> <number>",
    examples: ["/infor invoice INV-2231", "/infor invoice 10023 INV-2231"],
  },
  supplier: {
    form: "/infor supplier <id | name words>",
    examples: ["/infor supplier 10023", "/infor supplier acme tools"],
  },
  payment: {
    form: "/infor payment <invoice number | payment reference>",
    examples: ["/infor payment PAY-88120", "/infor payment INV-2231"],
  },
  gl: {
    form: "/infor gl <account> [period as YYYY-MM]",
    examples: ["/infor gl 4010", "/infor gl 4010 2026-11"],
  },
  status: { form: "/infor status", examples: ["/infor status"] },
  replay: {
    form: "/infor replay <alert id>  or  /infor replay since <YYYY-MM-DD | 24h>",
    examples: ["/infor replay alt_7f3a…", "/infor replay since 12h"],
  },
  help: { form: "/infor help [command]", examples: ["/infor help", "/infor help invoice"] },
};

// A document or account number as the ERPs print them: letters, digits and - _ / . only.
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9_\-/.]{0,39}$/;
const MAX_TEXT = 200;

export function parseInforCommand(text: string): ParseResult {
  const words = text.trim().slice(0, MAX_TEXT).split(/\s+/).filter(Boolean);
  const [head, ...args] = words;
  if (head === undefined) return { ok: true, command: { kind: "help" } };
  const name = head.toLowerCase();
  if (!isCommandName(name)) {
    const guess = closest(name);
    return {
      ok: false,
      code: "unknown_command",
      message: guess
        ? `I don't know \`${clip(head)}\`. Did you mean \`${guess}\`?`
        : `I don't know \`${clip(head)}\`.`,
      ...(guess ? { topic: guess } : {}),
    };
  }
  switch (name) {
    case "po":
      return single(name, args, (number) => ({ kind: "po", number }));
    case "payment":
      return single(name, args, (reference) => ({ kind: "payment", reference }));
    case "invoice":
      return parseInvoice(args);
    case "supplier":
      return parseSupplier(args);
    case "gl":
      return parseGl(args);
    case "status":
      return args.length === 0 ? { ok: true, command: { kind: "status" } } : tooMany(name);
    case "replay":
      return parseReplay(args);
    case "help": {
      const topic = args[0]?.toLowerCase();
      if (topic !== undefined && isCommandName(topic)) {
        return { ok: true, command: { kind: "help", topic } };
      }
      return { ok: true, command: { kind: "help" } };
    }
  }
}

function isCommandName(s: string): s is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(s);
}

function single(
  name: CommandName,
  args: string[],
  make: (value: string) => InforCommand,
): ParseResult {
  if (args.length === 0) return missing(name);
  if (args.length > 1) return tooMany(name);
  const value = args[0] ?? "";
  if (!TOKEN.test(value)) return bad(name, value);
  return { ok: true, command: make(value) };
}

function parseInvoice(args: string[]): ParseResult {
  if (args.length === 0) return missing("invoice");
  if (args.length > 2) return tooMany("invoice");
  for (const a of args) if (!TOKEN.test(a)) return bad("invoice", a);
  const [first = "", second] = args;
  return second === undefined
    ? { ok: true, command: { kind: "invoice", number: first } }
    : { ok: true, command: { kind: "invoice", supplier: first, number: second } };
}

function parseSupplier(args: string[]): ParseResult {
  if (args.length === 0) return missing("supplier");
  const query = args.join(" ");
  if (args.length === 1 && /^[A-Za-z0-9_\-.]*\d[A-Za-z0-9_\-.]*$/.test(query)) {
    return { ok: true, command: { kind: "supplier", query, byId: true } };
  }
  if (!/^[\p{L}\p{N} &'.,\-/()]+$/u.test(query) || query.length > 80) {
    return bad("supplier", query);
  }
  if (query.replace(/[^\p{L}\p{N}]/gu, "").length < 2) {
    return {
      ok: false,
      code: "bad_argument",
      message: "Give at least two letters of the supplier name.",
      topic: "supplier",
    };
  }
  return { ok: true, command: { kind: "supplier", query, byId: false } };
}

function parseGl(args: string[]): ParseResult {
  if (args.length === 0) return missing("gl");
  if (args.length > 2) return tooMany("gl");
  const [account = "", periodText] = args;
  if (!TOKEN.test(account)) return bad("gl", account);
  if (periodText === undefined) return { ok: true, command: { kind: "gl", account } };
  const period = parsePeriod(periodText);
  if (!period) {
    return {
      ok: false,
      code: "bad_argument",
      message: `\`${clip(periodText)}\` is not a period: use YYYY-MM, e.g. 2026-11.`,
      topic: "gl",
    };
  }
  return { ok: true, command: { kind: "gl", account, period } };
}

/** Accepts YYYY-MM, YYYYMM and YYYY-PP (periods 1 to 13 for 13-period calendars). */
export function parsePeriod(text: string): GlPeriod | undefined {
  const m = /^(\d{4})-?(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const period = Number(m[2]);
  if (year < 1990 || year > 2100 || period < 1 || period > 13) return undefined;
  return { year, period };
}

function parseReplay(args: string[]): ParseResult {
  if (args.length === 0) return missing("replay");
  if (args[0]?.toLowerCase() === "since") {
    if (args.length !== 2) return args.length < 2 ? missing("replay") : tooMany("replay");
    const since = args[1] ?? "";
    if (!/^\d{4}-\d{2}-\d{2}$/.test(since) && !/^\d{1,3}[hd]$/.test(since)) {
      return {
        ok: false,
        code: "bad_argument",
        message: `\`${clip(since)}\` is not a start: use a date (2026-11-30) or hours/days (12h, 2d).`,
        topic: "replay",
      };
    }
    return { ok: true, command: { kind: "replay", target: { by: "since", since } } };
  }
  if (args.length > 1) return tooMany("replay");
  const alertId = args[0] ?? "";
  if (!TOKEN.test(alertId)) return bad("replay", alertId);
  return { ok: true, command: { kind: "replay", target: { by: "alert", alertId } } };
}

function missing(name: CommandName): ParseResult {
  return {
    ok: false,
    code: "missing_argument",
    message: `\`${name}\` needs more: ${USAGE[name].form}`,
    topic: name,
  };
}

function tooMany(name: CommandName): ParseResult {
  return {
    ok: false,
    code: "too_many_arguments",
    message: `Too many words for \`${name}\`: ${USAGE[name].form}`,
    topic: name,
  };
}

function bad(name: CommandName, value: string): ParseResult {
  return {
    ok: false,
    code: "bad_argument",
    message: `\`${clip(value)}\` doesn't look right for \`${name}\`: ${USAGE[name].form}`,
    topic: name,
  };
}

/** Echo user text safely: short, and without characters that Slack mrkdwn treats as markup. */
/** What a refusal may echo of the user's text: no markup, no control or invisible characters. */
function clip(s: string): string {
  // \p{Cc}: control characters (terminal escapes); \p{Cf}: format characters such as the
  // right-to-left override and zero-width spaces, which would disguise the echoed text.
  const cleaned = s.replace(/[`<>&*_~]|\p{Cc}|\p{Cf}/gu, "");
  return cleaned.length > 30 ? `${cleaned.slice(0, 30)}…` : cleaned;
}

function closest(word: string): CommandName | undefined {
  let best: CommandName | undefined;
  let bestDistance = 3;
  for (const name of COMMAND_NAMES) {
    const d = distance(word, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (a.length > 20) return 99;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] ?? 99;
}
