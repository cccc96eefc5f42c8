/** Who is who in the emulator's seeded workspace (sandbox/slack-emu/seed.ts). */
export const DEMO_CHANNELS = {
  apInvoices: "C0AP000001",
  financeOps: "C0OPS00001",
  cc100: "C0CC100001",
  cc200: "C0CC200001",
} as const;

export const DEMO_USERS = {
  approvers: [
    { id: "U0APPR0001", name: "Anna Approver" },
    { id: "U0APPR0002", name: "Bo Approver" },
  ],
  nonApprovers: [
    { id: "U0CLERK001", name: "Carl Clerk" },
    { id: "U0CLERK002", name: "Dina Clerk" },
  ],
  admin: { id: "U0ADMIN001", name: "Ada Admin" },
} as const;

/**
 * The demo's routing.yml: the simulator's company 100 / division AAA polled every 10 s (the
 * schema's floor), invoices of cost center CC100 to #cc-100-operations and CC200 to
 * #cc-200-sales, everything else to #ap-invoices (as a one-minute summary); #cc-200-sales hears
 * only exceptions. First run imports from `since` (yesterday):
 * the seeded history is older, so only what the demo touches today is posted.
 */
export function demoRoutingYaml(o: { tenant: string; since: string }): string {
  return `# Written by npm run demo; regenerated on every start.
version: 1
timeZone: Europe/Stockholm
firstRun:
  mode: since
  since: ${o.since}
channels:
  ap-invoices: ${DEMO_CHANNELS.apInvoices}
  finance-ops: ${DEMO_CHANNELS.financeOps}
  cc-100: ${DEMO_CHANNELS.cc100}
  cc-200: ${DEMO_CHANNELS.cc200}
defaultChannel: ap-invoices
opsChannel: finance-ops
tenants:
  - id: ${o.tenant}
    requestsPerMinute: 3000
    companies:
      - company: 100
        divisions: [AAA]
        schedules:
          supplier_invoice: { every: 10s }
          purchase_order: { every: 10s }
costCenters:
  CC100:
    name: Finance
    channel: cc-100
    approvers:
      - upTo: unlimited
        users: [${DEMO_USERS.approvers[0].id}]
        groups: [S0APPROVER]
  CC200:
    name: IT
    channel: cc-200
    approvers:
      - upTo: unlimited
        groups: [S0APPROVER]
tolerances:
  default:
    pricePercent: 2
    priceAbsolute: 20 EUR
# The three noise modes side by side: #cc-200-sales hears only exceptions, #ap-invoices gets one
# summary per minute edited in place, #cc-100-operations every record.
noise:
  default: all
  digestEvery: 1m
  channels:
    cc-200: exceptions-only
    ap-invoices: digest
admins: [${DEMO_USERS.admin.id}]
erpUsers:
  JSMITH: ${DEMO_USERS.nonApprovers[1].id}
`;
}
