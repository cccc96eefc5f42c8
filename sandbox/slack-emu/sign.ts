import { createHmac } from "node:crypto";

// Slack request signing (docs.slack.dev/authentication/verifying-requests-from-slack):
// X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)),
// X-Slack-Request-Timestamp = unix seconds.

export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestampSec}:${body}`).digest("hex")}`;
}

export function signedHeaders(
  secret: string,
  timestampSec: number,
  body: string,
  contentType: string,
): Record<string, string> {
  return {
    "content-type": contentType,
    "x-slack-request-timestamp": String(timestampSec),
    "x-slack-signature": slackSignature(secret, timestampSec, body),
    "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
  };
}
