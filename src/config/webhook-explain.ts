import type { RoutingConfig } from "./routing-schema.ts";

/**
 * `check-config`'s lines about routing.yml webhooks: which routes feed each one and where it
 * goes (origin only: a URL's path or query may itself be a credential), and, when the
 * environment was read, a problem per webhook without its secret in WEBHOOK_SECRETS.
 */
export function explainWebhooks(
  config: RoutingConfig,
  secretNames: ReadonlySet<string> | undefined,
): { lines: string[]; problems: string[] } {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const [name, w] of Object.entries(config.webhooks)) {
    const routes = w.channels.map((c) => `#${c}`).join(", ");
    lines.push(
      `webhook: ${name} → ${new URL(w.url).origin}: record and exception alerts of ${routes}, ${w.perSecond}/s, look-up hook ${w.lookupUrl ? "on" : "off (a receiver must de-duplicate by Idempotency-Key)"}`,
    );
    if (secretNames && !secretNames.has(name)) {
      problems.push(
        `WEBHOOK_SECRETS: no secret for webhook "${name}" (routing.yml webhooks.${name})`,
      );
    }
  }
  return { lines, problems };
}
