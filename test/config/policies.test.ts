import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toApprovalPolicy, toMatchPolicy, toRoutingPolicy } from "../../src/config/policies.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import { canApprove } from "../../src/rules/approval-policy.ts";
import { resolveMatchSettings } from "../../src/rules/match-policy.ts";
import { routeCostCenter } from "../../src/rules/routing.ts";
import { money } from "../../src/shared/money.ts";

const parsed = parseRouting(
  readFileSync(new URL("../../routing.example.yml", import.meta.url), "utf8"),
);
if (!parsed.ok) throw new Error("routing.example.yml must be valid");
const config = parsed.config;

describe("routing.yml → rules policies", () => {
  it("routes cost centers to channel ids, and unknown ones to the default channel", () => {
    const policy = toRoutingPolicy(config);
    expect(routeCostCenter(policy, { company: "100", costCenter: "1100" })).toMatchObject({
      channel: "C0CCFACIL1",
      fallback: false,
    });
    expect(routeCostCenter(policy, { company: "100", costCenter: "9999" })).toMatchObject({
      channel: "C0APGENERAL",
      fallback: true,
    });
    expect(policy.opsChannel).toBe("C0FINOPS01");
  });

  it("layers tolerances: default, company, cost center; absolute limits keep their currency", () => {
    const policy = toMatchPolicy(config);
    expect(resolveMatchSettings(policy, "200", undefined)).toMatchObject({
      price: { percent: "2", absolute: { EUR: "50" } },
      quantityPercent: "0",
      duplicateWindowDays: 30,
      mode: "three_way",
      allowNonPo: false,
    });
    expect(resolveMatchSettings(policy, "100", undefined).price.percent).toBe("1.5");
    expect(resolveMatchSettings(policy, "100", "2100").price).toEqual({
      percent: "1.5",
      absolute: { EUR: "25" },
    });
  });

  it("applies approver bands by amount, exactly at the boundary", () => {
    const policy = toApprovalPolicy(config);
    const at = canApprove("U0FACMGR01", [], policy, money("5000.00", "EUR"), "1100");
    const over = canApprove("U0FACMGR01", [], policy, money("5000.01", "EUR"), "1100");
    const cfo = canApprove("U0SOMEONE1", ["S0CFOOFFIC"], policy, money("250000", "EUR"), "1100");
    expect(at.allowed).toBe(true);
    expect(over.allowed).toBe(false);
    expect(cfo.allowed).toBe(true);
  });
});
