import { describe, expect, it } from "vitest";
import { parseInforCommand, parsePeriod } from "../../src/slack/commands/parse.ts";

describe("parseInforCommand", () => {
  it.each([
    ["po 4500012345", { kind: "po", number: "4500012345" }],
    ["  PO   77 ", { kind: "po", number: "77" }],
    ["invoice INV-2231", { kind: "invoice", number: "INV-2231" }],
    ["invoice 10023 INV-2231", { kind: "invoice", supplier: "10023", number: "INV-2231" }],
    ["supplier 10023", { kind: "supplier", query: "10023", byId: true }],
    ["supplier acme tools", { kind: "supplier", query: "acme tools", byId: false }],
    ["payment PAY-1", { kind: "payment", reference: "PAY-1" }],
    ["gl 4010", { kind: "gl", account: "4010" }],
    ["gl 4010 2026-11", { kind: "gl", account: "4010", period: { year: 2026, period: 11 } }],
    ["gl 4010 202611", { kind: "gl", account: "4010", period: { year: 2026, period: 11 } }],
    ["status", { kind: "status" }],
    ["replay alt_123", { kind: "replay", target: { by: "alert", alertId: "alt_123" } }],
    ["replay since 12h", { kind: "replay", target: { by: "since", since: "12h" } }],
    ["replay since 2026-11-30", { kind: "replay", target: { by: "since", since: "2026-11-30" } }],
    ["", { kind: "help" }],
    ["help", { kind: "help" }],
    ["help invoice", { kind: "help", topic: "invoice" }],
  ])("%j parses", (text, command) => {
    expect(parseInforCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ["po", "missing_argument", "po"],
    ["po 1 2", "too_many_arguments", "po"],
    ["po <script>", "bad_argument", "po"],
    ["invoice", "missing_argument", "invoice"],
    ["invoice a b c", "too_many_arguments", "invoice"],
    ["supplier", "missing_argument", "supplier"],
    ["supplier a", "bad_argument", "supplier"],
    ["payment", "missing_argument", "payment"],
    ["gl", "missing_argument", "gl"],
    ["gl 4010 2026-14", "bad_argument", "gl"],
    ["gl 4010 nov", "bad_argument", "gl"],
    ["gl 4010 2026-11 x", "too_many_arguments", "gl"],
    ["status now", "too_many_arguments", "status"],
    ["replay", "missing_argument", "replay"],
    ["replay since", "missing_argument", "replay"],
    ["replay since yesterday", "bad_argument", "replay"],
    ["invoce 1", "unknown_command", "invoice"],
  ])("%j → %s with help for %s", (text, code, topic) => {
    const r = parseInforCommand(text);
    expect(r).toMatchObject({ ok: false, code, topic });
  });

  it("names an unknown word without a guess when nothing is close", () => {
    const r = parseInforCommand("transfer 100");
    expect(r).toMatchObject({ ok: false, code: "unknown_command" });
    expect(r.ok ? "" : r.message).toContain("transfer");
  });

  it("never echoes markup from user text", () => {
    const r = parseInforCommand("po `<!channel>`");
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.message).not.toMatch(/<!channel>/);
  });

  it("never echoes control or invisible characters from user text", () => {
    for (const text of ["tr\u202Eansfer", "x\u200By", "bad\u001b[31mred", "gl 4010 20\u0000"]) {
      const r = parseInforCommand(text);
      expect(r.ok, text).toBe(false);
      expect(r.ok ? "" : r.message).not.toMatch(/\p{Cc}|\p{Cf}/u);
    }
  });

  it("accepts 13-period calendars and refuses nonsense periods", () => {
    expect(parsePeriod("2026-13")).toEqual({ year: 2026, period: 13 });
    expect(parsePeriod("2026-00")).toBeUndefined();
    expect(parsePeriod("1800-01")).toBeUndefined();
  });
});
