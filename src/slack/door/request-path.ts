/**
 * Which door a request target goes through. Bolt's HTTPReceiver routes on the WHATWG-normalised
 * pathname (`new URL(req.url, base).pathname`): dot segments and their `%2e` spellings removed,
 * `\` read as `/`, the fragment and query dropped, an absolute-form target reduced to its path.
 * A check that compares the raw target with the endpoint list therefore sees a different request
 * than Bolt routes. Here one decision is taken on both spellings, before Bolt sees anything.
 */
export type PathDecision =
  /** Exactly a configured Slack endpoint, in canonical origin-form. */
  | { door: "slack"; path: string }
  /** Something Bolt would route as a Slack request (or could), under another spelling: 404. */
  | { door: "refuse"; reason: string }
  /** Anything else (ops routes): Bolt's own routing, which answers 404 to unknown paths. */
  | { door: "other" };

/** Paths Bolt serves itself when OAuth is configured; we never configure it, so always refused. */
export const BOLT_INSTALL_PATHS = ["/slack/install", "/slack/oauth_redirect"] as const;

const BASE = "http://localhost";

export function decidePath(
  rawTarget: string | undefined,
  endpoints: readonly string[],
): PathDecision {
  const raw = rawTarget ?? "";
  if (endpoints.includes(raw)) return { door: "slack", path: raw };
  let normalised: string;
  try {
    const url = new URL(raw, BASE);
    normalised = url.pathname + url.search;
    // Origin-form only: an absolute-form or scheme-relative target names another origin.
    if (url.origin !== BASE && raw.startsWith("/")) return { door: "refuse", reason: "authority" };
  } catch {
    return { door: "refuse", reason: "unparsable" };
  }
  // Any target whose canonical spelling differs from what was sent (dot segments, backslashes,
  // fragments, absolute form, `%2e`) is refused whatever it points at: no route of ours needs it.
  if (!raw.startsWith("/") || normalised !== raw)
    return { door: "refuse", reason: "not_canonical" };
  if (looksLikeSlack(raw, endpoints)) return { door: "refuse", reason: "not_an_endpoint" };
  return { door: "other" };
}

/**
 * A canonical target that is not an endpoint but is under an endpoint's folder or Bolt's
 * install paths, in any letter case or percent-encoding (`/slack/events/`, `/SLACK/events`,
 * `/slack/events;x`, `/slack/%65vents`, `/slack%5Cevents`, `/slack/events?x`): refused rather
 * than handed on.
 */
function looksLikeSlack(raw: string, endpoints: readonly string[]): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  decoded = decoded.replaceAll("\\", "/").toLowerCase();
  const roots = new Set<string>();
  for (const p of [...endpoints, ...BOLT_INSTALL_PATHS]) {
    const lower = p.toLowerCase();
    roots.add(lower);
    const folder = lower.slice(0, lower.lastIndexOf("/") + 1);
    if (folder.length > 1) roots.add(folder);
  }
  for (const root of roots) if (decoded.startsWith(root)) return true;
  return false;
}
