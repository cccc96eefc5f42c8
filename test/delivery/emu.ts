import { defaultSeed } from "../../sandbox/slack-emu/seed.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import type { WorkspaceSeed } from "../../sandbox/slack-emu/types.ts";
import type { Alert } from "../../src/alerts/alert.ts";
import { createAlert } from "../../src/alerts/alert.ts";
import type { CanonicalRecord } from "../../src/infor/records.ts";
import { parseRecord } from "../../src/infor/records.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";

/** The default workspace plus `n` channels the bot is in: C0LOAD0000 … */
export function seedWithChannels(n: number): WorkspaceSeed {
  const seed = defaultSeed();
  const base = seed.channels[0];
  if (!base) throw new Error("seed has no channels");
  for (let i = 0; i < n; i++) {
    seed.channels.push({
      ...base,
      id: `C0LOAD${String(i).padStart(4, "0")}`,
      name: `load-${i}`,
      members: [seed.botUserId],
    });
  }
  return seed;
}

export function loadChannel(i: number): string {
  return `C0LOAD${String(i).padStart(4, "0")}`;
}

export async function startEmu(timeScale: number, channels = 0): Promise<SlackEmu> {
  return startSlackEmu({ timeScale, seed: seedWithChannels(channels) });
}

export function payment(
  n: number,
  amount = "100.00",
  over: Record<string, unknown> = {},
): CanonicalRecord {
  const r = parseRecord({
    entity: "payment",
    tenant: "ACME_TST",
    company: "100",
    division: "",
    source: "m3",
    changedAt: "2026-12-01",
    supplierId: "S1",
    supplierName: "Supplier One",
    reference: `PAY-${n}`,
    paymentDate: "2026-12-01",
    amount: { amount, currency: "EUR" },
    ...over,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

export function paymentAlert(n: number, channel: string, amount = "100.00"): Alert {
  return createAlert({ kind: "record.new", channel, record: payment(n, amount) });
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function pendingCount(redis: RedisClient, prefix: string): Promise<number> {
  return redis.zcard(`${prefix}dlv:pending`);
}

/**
 * A skewed load over `channels` load channels: one channel gets `hot` alerts spread evenly
 * through the stream, the others share the rest round-robin.
 */
export function skewedWorkload(total: number, hot: number, channels: number): Alert[] {
  const alerts: Alert[] = [];
  let other = 0;
  for (let i = 0; i < total; i++) {
    const isHot = Math.floor(((i + 1) * hot) / total) > Math.floor((i * hot) / total);
    const channel = isHot ? loadChannel(0) : loadChannel(1 + (other++ % (channels - 1)));
    alerts.push(paymentAlert(i + 1, channel, `${(i % 97) + 1}.25`));
  }
  return alerts;
}
