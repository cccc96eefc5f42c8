/**
 * Seed workspace channels of the Slack emulator (sandbox/slack-emu/README.md) the chaos run
 * posts to: five cost-center channels, the default channel and the ops channel.
 */
export const COST_CENTER_CHANNELS: Readonly<Record<string, string>> = {
  CC1: "C0CC100001",
  CC2: "C0CC200001",
  CC3: "C0AP000001",
  CC4: "C0GENERAL1",
  CC5: "C0PRIV0001",
};
export const DEFAULT_CHANNEL = "C0FINANCE1";
/** Cost centers whose alerts routing.yml also sends to the signed webhook (docs/webhooks.md). */
export const WEBHOOK_COST_CENTERS = ["CC1", "CC2"] as const;
export const WEBHOOK_NAME = "erp";
export const OPS_CHANNEL = "C0OPS00001";

/**
 * routing.yml for the run: invoices of 100/AAA, 100/BBB and 200/CCC polled every 10 s (the schema's
 * floor), first run importing from `since` (the day before the run's first ERP day), cost
 * centers to their channels. The simulator's small seeded history may add a few alerts of its
 * own; the comparison only counts the run's invoices.
 */
export function chaosRoutingYaml(o: {
  tenant: string;
  since: string;
  webhook?: { url: string; lookupUrl: string };
}): string {
  const webhook = o.webhook
    ? `webhooks:
  ${WEBHOOK_NAME}:
    url: ${o.webhook.url}
    lookupUrl: ${o.webhook.lookupUrl}
    channels: [${WEBHOOK_COST_CENTERS.map((c) => c.toLowerCase()).join(", ")}]
    perSecond: 10
`
    : "";
  const aliases = Object.entries(COST_CENTER_CHANNELS)
    .map(([cc, id]) => `  ${cc.toLowerCase()}: ${id}`)
    .join("\n");
  const costCenters = Object.keys(COST_CENTER_CHANNELS)
    .map(
      (cc) =>
        `  ${cc}:\n    name: Cost center ${cc}\n    channel: ${cc.toLowerCase()}\n    approvers:\n      - upTo: unlimited\n        users: [U0APPR0001]`,
    )
    .join("\n");
  return `# Written by bench/chaos for one run.
version: 1
firstRun:
  mode: since
  since: ${o.since}
channels:
  finance: ${DEFAULT_CHANNEL}
  ops: ${OPS_CHANNEL}
${aliases}
defaultChannel: finance
opsChannel: ops
# Chaos counts every record's own alert (lost / duplicated): each record gets one.
noise:
  default: all
# The ledger is the channels': one approver's cards of every exception would queue in one DM at
# one message a second, behind nothing the ledger counts (cards: test/slack/approver-cards*).
approvals:
  dmApprovers: false
tenants:
  - id: ${o.tenant}
    requestsPerMinute: 3000
    companies:
      - company: 100
        divisions: [AAA, BBB]
        schedules:
          supplier_invoice: { every: 10s }
      - company: 200
        divisions: [CCC]
        schedules:
          supplier_invoice: { every: 10s }
costCenters:
${costCenters}
${webhook}`;
}
