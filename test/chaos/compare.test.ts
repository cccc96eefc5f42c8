import { describe, expect, it } from "vitest";
import { compareRun, type PostedMessage } from "../../bench/chaos/compare.ts";
import type { InjectedInvoice } from "../../bench/chaos/inject.ts";

const TAG = "XT1";
const inv = (n: number, over: Partial<InjectedInvoice> = {}): InjectedInvoice => ({
  number: `${TAG}-${n}`,
  costCenter: "CC1",
  malformed: false,
  ...over,
});
const msg = (text: string, alertId: string | undefined, channel = "C1"): PostedMessage => ({
  channel,
  ts: `${Math.random()}`,
  content: `${text}\n[]`,
  alertId,
});

function run(messages: PostedMessage[], injected = [inv(1), inv(2), inv(3), inv(12)]) {
  return compareRun({
    tag: TAG,
    injected,
    messages,
    quarantinedNumbers: new Set([`${TAG}-3`]),
    auditStored: new Set(["a1", "a2", "a12", "e1"]),
    auditDelivered: new Set(["a1", "a2", "e1"]),
    channelFor: (cc) => (cc === "CC1" ? "C1" : "CDEF"),
  });
}

describe("chaos comparison", () => {
  it("counts delivered, lost, quarantined, duplicated, misrouted and audit gaps", () => {
    const c = run([
      msg(`New: Invoice ${TAG}-1 from 3000001: 1.00 EUR`, "a1"),
      msg(
        `No purchase order on invoice ${TAG}-1 from 3000001: no PO on the invoice (1.00 EUR)`,
        "e1",
      ),
      msg(`New: Invoice ${TAG}-2 from 3000001`, "a2"),
      // The same alert posted twice (an ambiguous post retried without a lookup).
      msg(`New: Invoice ${TAG}-2 from 3000001`, "a2", "CDEF"),
      // 12 must not be mistaken for 1, and has no successful post in the audit log.
      msg(`New: Invoice ${TAG}-12 from 3000001`, "a12"),
      // Not ours: no alert metadata.
      msg(`New: Invoice ${TAG}-3`, undefined),
    ]);
    expect(c).toMatchObject({
      expected: 4,
      delivered: 3,
      lost: 0,
      quarantined: 1,
      duplicated: 1,
      misrouted: 1,
      auditMissing: 1,
      alertMessages: 5,
      duplicatedNumbers: [`${TAG}-2`],
    });
  });

  it("calls an invoice lost when only its exception alert arrived", () => {
    const c = run(
      [msg(`No purchase order on invoice ${TAG}-1 from 3000001: no PO on the invoice`, "e1")],
      [inv(1)],
    );
    expect(c).toMatchObject({ delivered: 0, lost: 1, lostNumbers: [`${TAG}-1`] });
  });
});
