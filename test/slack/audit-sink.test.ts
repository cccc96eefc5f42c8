import { describe, expect, it } from "vitest";
import type { AuditInput } from "../../src/audit/types.ts";
import { slackAuditToLog } from "../../src/slack/audit-sink.ts";

describe("slackAuditToLog", () => {
  it("keeps the event kind, record and alert ids", async () => {
    const stored: AuditInput[] = [];
    const audit = slackAuditToLog({
      append: async (i) => {
        stored.push(i);
        return "1-0";
      },
    });
    await audit({
      type: "approval.decided",
      approvalId: "apv_1",
      alertId: "alt_1",
      recordKey: "k",
      actor: "U1",
      at: "2026-12-01T00:00:00Z",
      state: "approved",
    });
    await audit({ type: "command", actor: "U2", at: "x", command: "po 1", outcome: "answered" });
    expect(stored[0]).toEqual({
      type: "approval.decided",
      alertId: "alt_1",
      recordKey: "k",
      data: { approvalId: "apv_1", actor: "U1", at: "2026-12-01T00:00:00Z", state: "approved" },
    });
    expect(stored[1]).toMatchObject({ type: "command", data: { command: "po 1" } });
    expect(stored[1]?.alertId).toBeUndefined();
  });
});
