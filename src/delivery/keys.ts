/** Every Redis key delivery uses, in one place (all under the configured prefix). */
export function deliveryKeys(prefix: string) {
  const p = `${prefix}dlv:`;
  return {
    order: (channel: string) => `${p}ch:${channel}:order`,
    /** edits of messages already posted: their own line, so they never hold new posts back */
    edits: (channel: string) => `${p}ch:${channel}:edits`,
    /** what the pacer learned about the channel (pacer-learn.lua) */
    pace: (channel: string) => `${p}ch:${channel}:pace`,
    workspacePace: `${p}ws:pace`,
    seq: (channel: string) => `${p}ch:${channel}:seq`,
    tat: (channel: string) => `${p}ch:${channel}:tat`,
    blocked: (channel: string) => `${p}ch:${channel}:blocked`,
    workspaceTat: `${p}ws:tat`,
    methodTat: (method: string) => `${p}m:${method}:tat`,
    delivered: (alertId: string) => `${p}delivered:${alertId}`,
    inflight: (alertId: string) => `${p}inflight:${alertId}`,
    subject: (channel: string, subject: string) => `${p}subject:${channel}:${subject}`,
    digested: (alertId: string) => `${p}digested:${alertId}`,
    held: (channel: string) => `${p}held:${channel}`,
    /** every alert not yet finished: member = alert id, score = enqueue time (oldest age) */
    pending: `${p}pending`,
    dead: `${p}dead`,
    deadInfo: (alertId: string) => `${p}dead:${alertId}`,
    opsBurst: (code: string) => `${p}ops:${code}`,
    stats: `${p}stats`,
  };
}
export type DeliveryKeys = ReturnType<typeof deliveryKeys>;

/**
 * A destination with limits of its own (not Slack's) keeps its shared cap, learned cap and
 * method budgets under its own scope; the per-target keys (lines, slots, markers) are the same,
 * targets being distinct strings.
 */
export function scopedKeys(keys: DeliveryKeys, prefix: string, scope: string): DeliveryKeys {
  const p = `${prefix}dlv:${scope}:`;
  return {
    ...keys,
    workspacePace: `${p}ws:pace`,
    workspaceTat: `${p}ws:tat`,
    methodTat: (method: string) => `${p}m:${method}:tat`,
  };
}
