import { describe, expect, it } from "vitest";
import {
  compareWebhook,
  mirrorIdOf,
  type WebhookReceipt,
  type WebhookSource,
  webhookFailures,
} from "../../bench/chaos/webhook-ledger.ts";
import { createAlert, mirrorAlert } from "../../src/alerts/alert.ts";
import { payment } from "../delivery/emu.ts";

/**
 * The chaos run's webhook ledger fed a balanced run, then the same run with one fault seeded at a
 * time (a lost delivery, a duplicated one, an unexplained one, a forged one): each is reported
 * and fails the run.
 */
const TAG = "XW1";
const TARGET = "webhook:erp";
const C1 = "C0CC100001";
const C2 = "C0CC200001";
const mirrored = new Set([C1]);
const hex = (n: number) => n.toString(16).padStart(32, "0");

const sources: WebhookSource[] = [
  { alertId: hex(1), kind: "record.new", channel: C1, invoice: `${TAG}-1` },
  { alertId: hex(2), kind: "exception.opened", channel: C1, invoice: `${TAG}-1` },
  { alertId: hex(3), kind: "record.updated", channel: C1, invoice: `${TAG}-2` },
  // not mirrored: nothing expected at the receiver
  { alertId: hex(4), kind: "record.new", channel: C2, invoice: `${TAG}-3` },
];
const receipt = (s: WebhookSource): WebhookReceipt => ({
  id: mirrorIdOf(s.alertId, TARGET),
  sourceAlertId: s.alertId,
  text: `{"record":{"invoiceNumber":"${s.invoice}"}}`,
});
const balanced = sources.slice(0, 3).map(receipt);
const run = (receipts: WebhookReceipt[], refused = 0) =>
  compareWebhook({
    tag: TAG,
    target: TARGET,
    mirroredChannels: mirrored,
    sources,
    receipts,
    refused,
  });

describe("chaos webhook ledger", () => {
  it("computes the mirror id as src/alerts does", () => {
    const a = createAlert({ kind: "record.new", channel: C1, record: payment(1) });
    expect(mirrorIdOf(a.id, TARGET)).toBe(mirrorAlert(a, TARGET).id);
  });

  it("balances when every mirrored alert arrived once", () => {
    const c = run(balanced);
    expect([c.expected, c.delivered, c.lost, c.duplicated, c.unexpected]).toEqual([3, 3, 0, 0, 0]);
    expect(webhookFailures(c)).toEqual([]);
  });

  it("reports a lost delivery under its kind", () => {
    const c = run(balanced.filter((r) => r.sourceAlertId !== hex(2)));
    expect(c.lost).toBe(1);
    expect(c.perKind["exception.opened"]).toEqual({
      expected: 1,
      delivered: 0,
      lost: 1,
      duplicated: 0,
    });
    expect(c.lostIds).toEqual([`${TAG}-1 exception.opened`]);
    expect(webhookFailures(c)).toEqual(["webhook lost 1"]);
  });

  it("reports a duplicated delivery (the receiver saw one id twice)", () => {
    const dup = balanced[2] as WebhookReceipt;
    const c = run([...balanced, dup]);
    expect(c.duplicated).toBe(1);
    expect(c.perKind["record.updated"]?.duplicated).toBe(1);
    expect(webhookFailures(c)).toEqual(["webhook duplicated 1"]);
  });

  it("reports a run delivery no stored alert explains, a mismatched source and refused signatures", () => {
    const stray = receipt({
      alertId: hex(4),
      kind: "record.new",
      channel: C2,
      invoice: `${TAG}-3`,
    });
    expect(run([...balanced, stray]).unexpected).toBe(1);
    // The simulator's own history (no run tag) is not the run's business.
    expect(run([...balanced, { ...stray, text: "{}" }]).unexpected).toBe(0);
    const wrong = balanced.map((r, i) => (i === 0 ? { ...r, sourceAlertId: hex(9) } : r));
    expect(webhookFailures(run(wrong))).toEqual(["webhook mismatched 1"]);
    expect(webhookFailures(run(balanced, 2))).toEqual(["webhook signatures refused 2"]);
  });
});
