import { describe, expect, it } from "vitest";
import { replayStart } from "../../src/app/replay.ts";
import {
  channelOf,
  deliveryConfigFor,
  linksFor,
  recordUrlFor,
  routeFnFor,
} from "../../src/app/routing.ts";
import { effectiveRoles, parseRoles } from "../../src/app/types.ts";
import { parseRouting } from "../../src/config/routing-load.ts";
import type { RoutingConfig } from "../../src/config/routing-schema.ts";
import { deliveryConfigSchema, paceSettings } from "../../src/delivery/config.ts";
import { parseRecord } from "../../src/infor/records.ts";
import { recordLink } from "../../src/slack/blocks/format.ts";

const YAML = `
version: 1
timeZone: Europe/Amsterdam
channels:
  ap: C0APGENERAL
  ops: C0FINOPS01
  fac: C0CCFACIL1
defaultChannel: ap
opsChannel: ops
quietHours:
  fac: { from: "20:00", to: "07:00" }
delivery:
  digestAfter: 2m
tenants:
  - id: ACME_PRD
    links:
      supplier_invoice: "https://portal.example.test/{tenant}/m3/APS450?CONO={company}&DIVI={division}&ID={id}"
    companies:
      - company: 100
        divisions: [AAA]
        schedules:
          supplier_invoice: { every: 5m }
costCenters:
  "1100": { channel: fac }
`;

function routing(): RoutingConfig {
  const r = parseRouting(YAML);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

function invoice(costCenter: string | undefined) {
  const parsed = parseRecord({
    entity: "supplier_invoice",
    tenant: "ACME_PRD",
    company: "100",
    division: "AAA",
    source: "m3",
    changedAt: "2026-11-30",
    supplierId: "S1",
    invoiceNumber: "INV-1",
    status: "entry",
    invoiceDate: "2026-11-30",
    total: { amount: "100.00", currency: "EUR" },
    ...(costCenter ? { costCenter } : {}),
    lines: [],
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.record;
}

describe("roles", () => {
  it("expands all and refuses unknown names", () => {
    expect([...effectiveRoles(["all"])].sort()).toEqual(["scheduler", "web", "worker"]);
    expect([...effectiveRoles([])].sort()).toEqual(["scheduler", "web", "worker"]);
    expect([...effectiveRoles(["web", "web"])]).toEqual(["web"]);
    expect(parseRoles("web,worker")).toEqual(["web", "worker"]);
    expect(parseRoles("web,cron")).toBeUndefined();
    expect(parseRoles("")).toBeUndefined();
  });
});

describe("routing.yml in the modules' terms", () => {
  it("routes by cost center to channel ids, and flags the fallback", async () => {
    const route = routeFnFor(routing());
    expect(await route(invoice("1100"))).toEqual({
      channel: "C0CCFACIL1",
      fallback: false,
      costCenter: "1100",
    });
    expect(await route(invoice("9999"))).toMatchObject({ channel: "C0APGENERAL", fallback: true });
    expect(await route(invoice(undefined))).toMatchObject({
      channel: "C0APGENERAL",
      fallback: true,
    });
  });

  it("gives delivery channel ids, quiet hours in the file's zone and the digest threshold", () => {
    const config = deliveryConfigFor(routing(), { timeScale: 2 });
    expect(config.opsChannel).toBe("C0FINOPS01");
    expect(config.timeScale).toBe(2);
    expect(config.quietHours).toEqual({
      C0CCFACIL1: { start: "20:00", end: "07:00", timeZone: "Europe/Amsterdam" },
    });
    expect(config.digests?.drainThresholdMs).toBe(120_000);
    expect(channelOf(routing(), "C0UNKNOWN1")).toBe("C0UNKNOWN1");
  });

  it("passes the workspace-wide chat.postMessage limit from routing.yml to delivery", () => {
    expect(deliveryConfigFor(routing()).workspacePerSecond).toBeUndefined(); // delivery's default
    const r = parseRouting(
      YAML.replace("  digestAfter: 2m", "  digestAfter: 2m\n  workspacePostsPerSecond: 4"),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(deliveryConfigFor(r.config).workspacePerSecond).toBe(4);
    const bad = parseRouting(
      YAML.replace("  digestAfter: 2m", "  digestAfter: 2m\n  workspacePostsPerSecond: 0"),
    );
    expect(bad.ok).toBe(false);
  });

  it("allows no Web API method burst unless routing.yml sets delivery.methodBurst", () => {
    const pace = (c: RoutingConfig) =>
      paceSettings(deliveryConfigSchema.parse(deliveryConfigFor(c)));
    expect(pace(routing()).updateToleranceMs).toBe(0);
    expect(pace(routing()).historyToleranceMs).toBe(0);
    const r = parseRouting(
      YAML.replace("  digestAfter: 2m", "  digestAfter: 2m\n  methodBurst: 2"),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(deliveryConfigFor(r.config).methodBurst).toBe(2);
    // chat.update's Tier 3 floor, 50/min: two calls of 1.2 s each may go back to back
    expect(pace(r.config).updateToleranceMs).toBe(2400);
    const bad = parseRouting(
      YAML.replace("  digestAfter: 2m", "  digestAfter: 2m\n  methodBurst: -1"),
    );
    expect(bad.ok).toBe(false);
  });

  it("passes the late-landing grace and the later duplicate check from routing.yml to delivery", () => {
    const defaults = deliveryConfigSchema.parse(deliveryConfigFor(routing()));
    expect(defaults.ambiguousGraceMs).toBe(60_000);
    expect(defaults.duplicateSweepAfterMs).toBe(300_000);
    const r = parseRouting(
      YAML.replace(
        "  digestAfter: 2m",
        "  digestAfter: 2m\n  lateLandingGrace: 2m\n  duplicateCheckAfter: 0s",
      ),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const c = deliveryConfigSchema.parse(deliveryConfigFor(r.config));
    expect(c.ambiguousGraceMs).toBe(120_000);
    expect(c.duplicateSweepAfterMs).toBe(0);
    const bad = parseRouting(
      YAML.replace("  digestAfter: 2m", "  digestAfter: 2m\n  lateLandingGrace: soon"),
    );
    expect(bad.ok).toBe(false);
  });

  it("links a record key to the ERP with the tenant's template", () => {
    const url = recordUrlFor(routing());
    expect(url("supplier_invoice:ACME_PRD:100:AAA:S1/INV:7")).toBe(
      "https://portal.example.test/ACME_PRD/m3/APS450?CONO=100&DIVI=AAA&ID=S1%2FINV%3A7",
    );
    expect(url("purchase_order:ACME_PRD:100:AAA:4500001")).toBeUndefined();
    expect(url("not-a-key")).toBeUndefined();
  });

  it("alerts link each tenant's records through that tenant's own templates only", () => {
    const two = parseRouting(
      YAML.replace(
        "costCenters:",
        `  - id: BETA_TST
    links:
      purchase_order: "https://beta.example.test/PPS200?puno={id}"
    companies:
      - company: 200
        schedules:
          purchase_order: { every: 5m }
costCenters:`,
      ),
    );
    if (!two.ok) throw new Error(JSON.stringify(two.problems));
    const links = linksFor(two.config);
    const invoiceOf = (tenant: string) => {
      const r = parseRecord({
        entity: "supplier_invoice",
        tenant,
        company: "100",
        division: "AAA",
        source: "m3",
        changedAt: "2026-11-30",
        supplierId: "S1",
        invoiceNumber: "7",
        invoiceDate: "2026-11-28",
        status: "approval",
        total: { amount: "1", currency: "EUR" },
        lines: [],
      });
      if (!r.ok) throw new Error(r.reason);
      return r.record;
    };
    expect(recordLink(invoiceOf("ACME_PRD"), links)).toContain("portal.example.test/ACME_PRD");
    // The first tenant's invoice template must not link the second tenant's invoice.
    expect(recordLink(invoiceOf("BETA_TST"), links)).toBeUndefined();
  });
});

describe("/infor replay since", () => {
  it("reads a date as UTC midnight and 12h / 2d as back from now", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    expect(replayStart("2026-11-30", now)?.toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(replayStart("12h", now)?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(replayStart("2d", now)?.toISOString()).toBe("2026-11-29T12:00:00.000Z");
    expect(replayStart("yesterday", now)).toBeUndefined();
  });
});
