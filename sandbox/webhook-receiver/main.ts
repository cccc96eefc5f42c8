import { startReceiver } from "./server.ts";

/**
 * `npx node sandbox/webhook-receiver/main.ts [port]`: a receiver for local runs and the chaos
 * suite. Secrets from WEBHOOK_RECEIVER_SECRETS (comma-separated); faults from
 * WEBHOOK_RECEIVER_FAULTS as JSON ({"failRate":0.05,"dropRate":0.01}).
 */
const secrets = (process.env.WEBHOOK_RECEIVER_SECRETS ?? "").split(",").filter(Boolean);
if (secrets.length === 0) {
  console.error("WEBHOOK_RECEIVER_SECRETS is required");
  process.exit(2);
}
const faults = process.env.WEBHOOK_RECEIVER_FAULTS
  ? (JSON.parse(process.env.WEBHOOK_RECEIVER_FAULTS) as Record<string, number>)
  : {};
const r = await startReceiver({ secrets, port: Number(process.argv[2] ?? 0), faults });
console.log(JSON.stringify({ url: r.url, lookupUrl: r.lookupUrl, port: r.port }));
const stop = () => void r.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
