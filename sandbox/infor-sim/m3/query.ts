import { compareDecimal } from "../data/compare.ts";
import { MiError } from "./errors.ts";

/**
 * The EXPORTMI/Select query subset: `cols from TABLE [where cond]`, cond = terms joined by
 * `and` / `or` (and binds tighter), each `COL op literal|COL`. Infor's notes say keywords are
 * lower case; public production code also sends `AND`, so both cases are accepted.
 */
export type Operator = "=" | "<>" | "<" | "<=" | ">" | ">=";

export type Operand =
  | { kind: "literal"; text: string; numeric: boolean }
  | { kind: "column"; name: string };

export interface Predicate {
  column: string;
  op: Operator;
  value: Operand;
}

export interface Query {
  /** Column names as written, or ["*"]; empty when `count`. */
  columns: string[];
  count: boolean;
  table: string;
  /** OR of ANDs. */
  where: Predicate[][];
}

type Token =
  | { t: "word"; v: string }
  | { t: "str"; v: string }
  | { t: "num"; v: string }
  | { t: "op"; v: string };

function syntax(message: string): MiError {
  return new MiError(`QERY: ${message}`, "XSY0001", "QERY");
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw syntax("unterminated string literal");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ t: "str", v: value });
    } else if (/[<>=]/.test(c)) {
      const two = text.slice(i, i + 2);
      if (two === "<>" || two === "<=" || two === ">=") {
        tokens.push({ t: "op", v: two });
        i += 2;
      } else {
        tokens.push({ t: "op", v: c });
        i++;
      }
    } else if (c === "," || c === "*" || c === "(" || c === ")" || c === "#") {
      tokens.push({ t: "op", v: c });
      i++;
    } else if (/[-\d]/.test(c)) {
      const match = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (!match) throw syntax(`unexpected '${c}'`);
      tokens.push({ t: "num", v: match[0] });
      i += match[0].length;
    } else if (/\w/.test(c)) {
      const match = /^\w+/.exec(text.slice(i));
      const word = match?.[0] ?? c;
      tokens.push({ t: "word", v: word });
      i += word.length;
    } else {
      throw syntax(`unexpected '${c}'`);
    }
  }
  return tokens;
}

const isKeyword = (token: Token | undefined, word: string): boolean =>
  token?.t === "word" && token.v.toLowerCase() === word;

export function parseQuery(text: string): Query {
  if (text.length > 982)
    throw new MiError("QERY is longer than 982 characters", "XIL0001", "QERY", "InputFieldTooLong");
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const take = (): Token => {
    const token = tokens[pos++];
    if (!token) throw syntax("unexpected end of query");
    return token;
  };
  const columns: string[] = [];
  let count = false;
  if (isKeyword(peek(), "count")) {
    take();
    const a = take();
    const b = take();
    const c = take();
    if (a.v !== "(" || (b.v !== "#" && b.v !== "*") || c.v !== ")")
      throw syntax("expected count(#)");
    count = true;
  } else {
    for (;;) {
      const token = take();
      if (token.t === "op" && token.v === "*") columns.push("*");
      else if (token.t === "word" && !isKeyword(token, "from")) columns.push(token.v.toUpperCase());
      else throw syntax(`expected a column, found '${token.v}'`);
      if (peek()?.t === "op" && peek()?.v === ",") {
        take();
        continue;
      }
      break;
    }
  }
  if (!isKeyword(take(), "from")) throw syntax("expected 'from'");
  const tableToken = take();
  if (tableToken.t !== "word") throw syntax("expected a table name");
  const where: Predicate[][] = [];
  if (pos < tokens.length) {
    if (!isKeyword(take(), "where")) {
      throw syntax(
        `unexpected '${tokens[pos - 1]?.v}' (only where may follow the table; order by is not supported)`,
      );
    }
    let group: Predicate[] = [];
    for (;;) {
      const column = take();
      if (column.t !== "word") throw syntax(`expected a column, found '${column.v}'`);
      const op = take();
      if (op.t !== "op" || !["=", "<>", "<", "<=", ">", ">="].includes(op.v))
        throw syntax(`expected an operator after ${column.v}`);
      const value = take();
      let operand: Operand;
      if (value.t === "str") operand = { kind: "literal", text: value.v, numeric: false };
      else if (value.t === "num") operand = { kind: "literal", text: value.v, numeric: true };
      else if (value.t === "word") operand = { kind: "column", name: value.v.toUpperCase() };
      else throw syntax(`expected a value after ${column.v} ${op.v}`);
      group.push({ column: column.v.toUpperCase(), op: op.v as Operator, value: operand });
      const next = peek();
      if (!next) break;
      if (isKeyword(next, "and")) {
        take();
      } else if (isKeyword(next, "or")) {
        take();
        where.push(group);
        group = [];
      } else {
        throw syntax(`unexpected '${next.v}' (order by and other clauses are not supported)`);
      }
    }
    where.push(group);
  }
  return { columns, count, table: tableToken.v.toUpperCase(), where };
}

/** Compares two column/literal values: numerically when both are numbers, else as trimmed text. */
export function compareValues(a: string, b: string, numeric: boolean): number {
  if (numeric) {
    const cmp = compareDecimal(a, b);
    if (cmp !== undefined) return cmp;
  }
  const x = a.trimEnd();
  const y = b.trimEnd();
  return x === y ? 0 : x < y ? -1 : 1;
}

export function test(op: Operator, cmp: number): boolean {
  switch (op) {
    case "=":
      return cmp === 0;
    case "<>":
      return cmp !== 0;
    case "<":
      return cmp < 0;
    case "<=":
      return cmp <= 0;
    case ">":
      return cmp > 0;
    case ">=":
      return cmp >= 0;
  }
}
