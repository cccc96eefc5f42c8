import { describe, expect, it } from "vitest";
import {
  type ApprovalPolicy,
  canApprove,
  eligibleApprovers,
} from "../../src/rules/approval-policy.ts";

const eur = (amount: string) => ({ amount, currency: "EUR" });
const policy: ApprovalPolicy = {
  costCenters: {
    "CC-10": [
      { upTo: eur("5000"), users: ["U0CLERK"], groups: ["S0TEAM"] },
      { upTo: [eur("25000"), { amount: "27000", currency: "USD" }], users: ["U0LEAD"] },
      { upTo: "unlimited", groups: ["S0CFO"] },
    ],
  },
  default: [{ upTo: eur("1000"), users: ["U0FALLBACK"] }],
};

describe("eligible approvers", () => {
  it.each([
    { amount: eur("5000"), users: ["U0CLERK", "U0LEAD"], groups: ["S0TEAM", "S0CFO"] },
    { amount: eur("5000.01"), users: ["U0LEAD"], groups: ["S0CFO"] },
    { amount: eur("-4999.99"), users: ["U0CLERK", "U0LEAD"], groups: ["S0TEAM", "S0CFO"] },
    { amount: eur("25000.00"), users: ["U0LEAD"], groups: ["S0CFO"] },
    { amount: eur("25000.001"), users: [], groups: ["S0CFO"] },
    { amount: { amount: "100", currency: "USD" }, users: ["U0LEAD"], groups: ["S0CFO"] },
    { amount: { amount: "100", currency: "GBP" }, users: [], groups: ["S0CFO"] },
  ])("$amount.amount $amount.currency", ({ amount, users, groups }) => {
    const found = eligibleApprovers(policy, amount, "CC-10");
    expect([found.users, found.groups, found.source]).toEqual([users, groups, "cost_center"]);
  });

  it("uses the default bands for a cost center without its own, and says when nobody can", () => {
    expect(eligibleApprovers(policy, eur("900"), "CC-77")).toMatchObject({
      users: ["U0FALLBACK"],
      source: "default",
    });
    expect(eligibleApprovers(policy, eur("900"), undefined).users).toEqual(["U0FALLBACK"]);
    expect(eligibleApprovers(policy, eur("1000.01"), "CC-77")).toMatchObject({
      users: [],
      source: "none",
    });
  });
});

describe("canApprove", () => {
  it.each([
    {
      user: "U0CLERK",
      groups: [],
      amount: eur("5000"),
      entered: undefined,
      result: { allowed: true, via: { kind: "user", id: "U0CLERK" } },
    },
    {
      user: "U0X",
      groups: ["S0TEAM"],
      amount: eur("10"),
      entered: undefined,
      result: { allowed: true, via: { kind: "group", id: "S0TEAM" } },
    },
    {
      user: "U0CLERK",
      groups: [],
      amount: eur("5000.01"),
      entered: undefined,
      code: "amount_over_limit",
    },
    {
      user: "U0CLERK",
      groups: [],
      amount: { amount: "10", currency: "USD" },
      entered: undefined,
      code: "currency_not_covered",
    },
    {
      user: "U0LEAD",
      groups: [],
      amount: { amount: "27000", currency: "USD" },
      entered: undefined,
      result: { allowed: true, via: { kind: "user", id: "U0LEAD" } },
    },
    {
      user: "U0NOBODY",
      groups: ["S0OTHER"],
      amount: eur("1"),
      entered: undefined,
      code: "not_an_approver",
    },
    {
      user: "U0CFO",
      groups: ["S0CFO"],
      amount: eur("9999999"),
      entered: undefined,
      result: { allowed: true, via: { kind: "group", id: "S0CFO" } },
    },
    // segregation of duties: even an unlimited approver cannot approve what they entered
    {
      user: "U0CFO",
      groups: ["S0CFO"],
      amount: eur("10"),
      entered: "U0CFO",
      code: "segregation_of_duties",
    },
    {
      user: "U0CFO",
      groups: ["S0CFO"],
      amount: eur("10"),
      entered: "U0CLERK",
      result: { allowed: true, via: { kind: "group", id: "S0CFO" } },
    },
  ])(
    "$user $amount.amount $amount.currency (entered by $entered)",
    ({ user, groups, amount, entered, result, code }) => {
      const check = canApprove(user, groups, policy, amount, "CC-10", entered);
      if (result) expect(check).toEqual(result);
      else expect(check).toMatchObject({ allowed: false, code });
    },
  );

  it("words the refusal", () => {
    expect(canApprove("U0CLERK", [], policy, eur("12345.5"), "CC-10")).toMatchObject({
      message: "12,345.50 EUR is above your approval limit for cost center CC-10.",
    });
  });
});
