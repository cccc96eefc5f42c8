import { describe, expect, it } from "vitest";
import { explainApproverAsks } from "../../src/config/approver-asks.ts";
import {
  explainNoise,
  FINANCE_NOISE_DEFAULTS,
  noiseModeFor,
  toNoisePolicy,
} from "../../src/config/noise-policy.ts";
import { formatProblem, parseRouting } from "../../src/config/routing-load.ts";

const BASE = `
version: 1
channels: { ap: C0AP000001, cc100: C0CC100001, ops: C0OPS00001 }
defaultChannel: ap
opsChannel: ops
tenants: [{ id: T1, companies: [{ company: 100 }] }]
`;

function parse(noise: string) {
  const r = parseRouting(`${BASE}${noise}`, "routing.yml");
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
  return r.config;
}

function problems(noise: string): string[] {
  const r = parseRouting(`${BASE}${noise}`, "routing.yml");
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe("routing.yml noise", () => {
  it("without a noise section the finance defaults apply", () => {
    const policy = toNoisePolicy(parse(""));
    expect(noiseModeFor(policy, "C0AP000001", "supplier_invoice")).toBe("digest");
    expect(noiseModeFor(policy, "C0AP000001", "payment")).toBe("digest");
    expect(noiseModeFor(policy, "C0AP000001", "purchase_order")).toBe("exceptions-only");
    expect(noiseModeFor(policy, "C0AP000001", "supplier")).toBe("all");
    expect(policy.digestEveryMs).toBe(3_600_000);
    expect(Object.keys(FINANCE_NOISE_DEFAULTS).sort()).toEqual([
      "account",
      "gl_voucher",
      "payment",
      "purchase_order",
      "supplier",
      "supplier_invoice",
    ]);
  });

  it("channel + entity beats channel beats entity beats default", () => {
    const policy = toNoisePolicy(
      parse(`noise:
  default: all
  entities: { payment: digest }
  channels:
    ap: exceptions-only
    cc100: { purchase_order: digest }
`),
    );
    expect(noiseModeFor(policy, "C0AP000001", "payment")).toBe("exceptions-only");
    expect(noiseModeFor(policy, "C0CC100001", "purchase_order")).toBe("digest");
    expect(noiseModeFor(policy, "C0CC100001", "payment")).toBe("digest");
    expect(noiseModeFor(policy, "C0CC100001", "supplier_invoice")).toBe("all");
    // A default set in the file replaces the finance defaults.
    expect(noiseModeFor(policy, "C0OPS00001", "supplier_invoice")).toBe("all");
  });

  it("refuses an unknown mode, entity or channel, and a period under a minute, naming the key", () => {
    expect(problems("noise: { default: some }")[0]).toMatch(/noise\.default/);
    expect(problems("noise: { entities: { invoice: all } }").join("\n")).toMatch(/noise\.entities/);
    expect(problems("noise: { channels: { cc-999: all } }").join("\n")).toMatch(
      /noise\.channels\.cc-999: channel "cc-999" is not defined/,
    );
    expect(problems("noise: { digestEvery: 30s }").join("\n")).toMatch(/shorter than 1m/);
    expect(problems("noise: { defualt: all }").join("\n")).toMatch(/did you mean "default"/);
  });

  it("check-config explains what each channel hears", () => {
    const lines = explainNoise(parse("noise: { channels: { cc100: exceptions-only } }"));
    expect(lines[0]).toMatch(/finance defaults apply/);
    expect(lines).toContain(
      "noise: #cc100: supplier_invoice exceptions-only, payment exceptions-only, purchase_order exceptions-only, gl_voucher exceptions-only, account exceptions-only, supplier exceptions-only",
    );
    expect(lines.find((l) => l.startsWith("noise: #ap:"))).toContain("supplier_invoice digest");
  });

  it("approvers are asked in direct messages by default; check-config says so, and when off", () => {
    const byDefault = parse("");
    expect(byDefault.approvals).toMatchObject({ dmApprovers: true, dmLimit: 10 });
    expect(explainApproverAsks(byDefault).join("\n")).toMatch(
      /up to 10\b.*direct message.*reminders and escalations go to those direct messages/,
    );
    const off = parse("approvals: { dmApprovers: false }");
    expect(explainApproverAsks(off).join("\n")).toMatch(/no direct messages to approvers/);
    expect(problems("approvals: { dmLimit: 0 }").join("\n")).toMatch(/dmLimit/);
  });
});
