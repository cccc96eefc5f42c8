/**
 * Slack Web API methods this app calls and the bot scopes each needs, from each method's
 * "Required scopes" in Slack's method reference (docs.slack.dev/reference/methods/<method>).
 * The manifest test scans src/ for calls and checks manifest.yml against this table both ways:
 * every method called has its scopes declared, and no declared scope lacks a method or feature.
 *
 * Where a method's scope depends on the conversation type, we list the types we support: public
 * channels (channels:*), private channels the bot was invited to (groups:*) and the app's own
 * direct messages with approvers (im:*). Finance channels are often private.
 *
 * Direct messages: a one-off notice goes to the user id through chat.postMessage (chat:write
 * alone). The approvers' cards (routing.yml approvals.dmApprovers) are delivered like any alert,
 * which needs the conversation's `D…` id before the first post: chat.update refuses a user id,
 * and a post whose answer was lost is looked for in conversations.history. So conversations.open
 * (im:write, once per approver, cached) gives the id, and the history check of a card (and of a
 * reminder under it) reads the DM (im:history).
 */
export const METHOD_SCOPES: Readonly<Record<string, readonly string[]>> = {
  // Identity check at start-up and by /readyz: no scope.
  "auth.test": [],
  "chat.postMessage": ["chat:write"],
  "chat.update": ["chat:write"],
  // A second copy of an alert nobody acted on (delivery/sweep.ts): a bot deletes its own only.
  "chat.delete": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  // No scope; the message must be visible to the token.
  "chat.getPermalink": [],
  "conversations.list": ["channels:read", "groups:read"],
  "conversations.info": ["channels:read", "groups:read"],
  // Joins public channels only (private ones need an invitation): so chat:write.public is not
  // needed, and the bot is a member wherever it posts, which conversations.history requires.
  "conversations.join": ["channels:join"],
  // Used to find an alert id in recent message metadata before re-posting an ambiguous send.
  "conversations.history": ["channels:history", "groups:history", "im:history"],
  "conversations.replies": ["channels:history", "groups:history", "im:history"],
  // The approvers' direct messages (1:1 only: mpim:write and channels:manage are not needed).
  "conversations.open": ["im:write"],
  // Modals and the Home tab need no scope.
  "views.open": [],
  "views.update": [],
  "views.publish": [],
  "users.info": ["users:read"],
  "usergroups.users.list": ["usergroups:read"],
};

/** Scopes that features (not methods) need. */
export const FEATURE_SCOPES: Readonly<Record<string, readonly string[]>> = {
  // Slash commands need the commands scope to be installed.
  slash_commands: ["commands"],
};

/**
 * Methods whose call sites are still being written: the manifest test allows their scopes until
 * the call lands in src/ (then remove the entry; the test finds the call by scanning and fails
 * while it is still listed here). Empty: every module has landed, so manifest.yml declares exactly
 * the scopes of the calls in src/. The table above keeps methods no code calls yet
 * (conversations.join, users.info, ...) so that adding one only needs its scope in manifest.yml.
 */
export const PENDING_METHODS: readonly string[] = [];

/** Bolt helpers that call a Web API method under the hood. */
const HELPER_METHODS: Readonly<Record<string, string>> = {
  // Bolt's `say()` is chat.postMessage with the bot token; `respond()` uses response_url (no scope).
  say: "chat.postMessage",
};

const FAMILIES =
  "auth|chat|conversations|views|users|usergroups|reactions|files|team|pins|bookmarks";
const CLIENT_CALL = new RegExp(
  `([A-Za-z_$][\\w$]*)\\??\\.((?:${FAMILIES})(?:\\.[A-Za-z]+){1,2})\\s*\\(`,
  "g",
);
const API_CALL = /\bapiCall\(\s*["'`]([A-Za-z]+(?:\.[A-Za-z]+){1,2})["'`]/g;
const HELPER_CALL = /\b(say)\s*\(/g;

/**
 * Web API methods called in one source text: `client.chat.postMessage(`, `web.views.publish(`,
 * `apiCall("chat.update"`, Bolt's `say(`. The receiver must look like a Slack client (its name
 * contains client, slack or web) so that a Map called `users` is not taken for the users.* family.
 */
export function findSlackMethodCalls(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(CLIENT_CALL)) {
    const receiver = m[1] ?? "";
    if (/client|slack|web/i.test(receiver) && m[2]) found.add(m[2]);
  }
  for (const m of source.matchAll(API_CALL)) if (m[1]) found.add(m[1]);
  for (const m of source.matchAll(HELPER_CALL)) {
    const method = m[1] ? HELPER_METHODS[m[1]] : undefined;
    if (method) found.add(method);
  }
  return [...found].sort();
}

/** The scopes the given methods and features need, sorted and unique. */
export function requiredScopes(
  methods: Iterable<string>,
  features: Iterable<string> = Object.keys(FEATURE_SCOPES),
): string[] {
  const scopes = new Set<string>();
  for (const m of methods) for (const s of METHOD_SCOPES[m] ?? []) scopes.add(s);
  for (const f of features) for (const s of FEATURE_SCOPES[f] ?? []) scopes.add(s);
  return [...scopes].sort();
}
