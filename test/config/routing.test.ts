import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatProblem, parseRouting } from "../../src/config/routing-load.ts";

const example = readFileSync(new URL("../../routing.example.yml", import.meta.url), "utf8");

function problems(text: string): string[] {
  const r = parseRouting(text, "routing.yml");
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe("routing.yml", () => {
  it("the shipped example is valid and keeps exact decimals", () => {
    const r = parseRouting(example);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.tolerances.default.pricePercent).toBe("2");
    expect(r.config.tolerances.companies["100"]?.pricePercent).toBe("1.5");
    expect(r.config.tenants[0]?.companies[0]?.company).toBe("100");
    expect(r.config.tenants[0]?.companies[0]?.schedules.supplier_invoice).toEqual({ every: "5m" });
    expect(r.config.costCenters["1100"]?.approvers[1]?.upTo).toBe("unlimited");
  });

  it("reports YAML syntax errors with line and column", () => {
    const out = problems("version: 1\nchannels:\n  a: C1\n  b: [C2\n");
    expect(out[0]).toMatch(/^routing\.yml:\d+:\d+: YAML syntax/);
  });

  it("names an unknown key, where it is, and the nearest valid key", () => {
    const text = example.replace("  reminderHours: 24", "  remindrHours: 24");
    const out = problems(text);
    const line = example.split("\n").findIndex((l) => l.startsWith("  reminderHours")) + 1;
    expect(out).toEqual([
      `routing.yml:${line}:3: approvals.remindrHours: unknown key "remindrHours"; did you mean "reminderHours"?`,
    ]);
  });

  it("names undefined channels and cost centers", () => {
    const text = example
      .replace("defaultChannel: ap-general", "defaultChannel: ap-generl")
      .replace('    "2100": { priceAbsolute: 25 EUR }', '    "2101": { priceAbsolute: 25 EUR }');
    const out = problems(text);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(
      /defaultChannel: channel "ap-generl" is not defined.*did you mean "ap-general"/,
    );
    expect(out[1]).toMatch(/tolerances\.costCenters\.2101: cost center "2101" is not defined/);
  });

  it("reports every schema problem at once with its path", () => {
    const text = example
      .replace("pricePercent: 2 ", "pricePercent: two ")
      .replace("requestsPerMinute: 300", "requestsPerMinute: 5000")
      .replace("supplier_invoice: { every: 5m }", "supplier_invoice: { every: 5 minutes }")
      .replace("C0CCIT0001", '"#it-costs"');
    const out = problems(text).join("\n");
    expect(out).toMatch(/tolerances\.default\.pricePercent: expected a decimal/);
    expect(out).toMatch(/tenants\.0\.requestsPerMinute/);
    expect(out).toMatch(/schedules\.supplier_invoice\.every: expected a duration/);
    expect(out).toMatch(/channels\.cc-it: expected a Slack channel id/);
  });

  it("rejects an invalid cron expression and an unknown entity", () => {
    const text = example
      .replace('cron: "30 6 * * *"', 'cron: "99 99 * * *"')
      .replace("supplier: { every: 1h }", "suppliers: { every: 1h }");
    const out = problems(text).join("\n");
    expect(out).toMatch(/gl_voucher\.cron: expected a cron expression/);
    expect(out).toMatch(/suppliers/);
  });
});
