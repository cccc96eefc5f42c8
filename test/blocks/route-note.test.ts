import { describe, expect, it } from "vitest";
import { createAlert } from "../../src/alerts/alert.ts";
import { routeFnFor } from "../../src/app/routing.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import { alertMessage } from "../../src/slack/blocks/alert.ts";
import { checkMessage } from "../../src/slack/blocks/limits.ts";
import type { RouteDecision } from "../../src/sync/sink.ts";
import { invoice } from "./fixtures.ts";

const ROUTING = `
version: 1
channels: { ap: C0APGENERAL, facilities: C0FACIL001 }
defaultChannel: ap
opsChannel: ap
tenants:
  - id: ACME_PRD
    companies:
      - company: 100
        divisions: [AAA]
        costCenterDimension: 3
costCenters:
  "1100": { channel: facilities }
costCenterDefaults:
  suppliers: { S100: "1100" }
`;

describe("an alert says when routing fell back", () => {
  it("a routing.yml supplier default: the alert carries it and Slack shows one context line", async () => {
    const parsed = parseRouting(ROUTING);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.config.tenants[0]?.companies[0]?.costCenterDimension).toBe(3);
    const record = invoice({ supplierId: "S100", costCenter: undefined, lines: [] });
    const route = (await routeFnFor(parsed.config)(record)) as RouteDecision;
    expect(route).toMatchObject({ channel: "C0FACIL001", costCenter: "1100" });
    const alert = createAlert({
      kind: "record.new",
      record,
      channel: route.channel,
      ...(route.costCenter ? { costCenter: route.costCenter } : {}),
      ...(route.note ? { routeNote: route.note } : {}),
    });
    expect(alert.routeNote).toBe(
      "No cost center in the ERP: cost center 1100 is routing.yml's default for supplier S100",
    );
    const message = alertMessage(alert);
    const context = message.blocks
      .filter((b) => b.type === "context")
      .map((b) => JSON.stringify(b));
    expect(context.some((c) => c.includes("default for supplier S100"))).toBe(true);
    expect(checkMessage(message)).toEqual([]);
  });

  it("refuses a default naming an unknown cost center", () => {
    const parsed = parseRouting(ROUTING.replace('S100: "1100"', 'S100: "1101"'));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(JSON.stringify(parsed.problems)).toContain('cost center \\"1101\\" is not defined');
  });
});
