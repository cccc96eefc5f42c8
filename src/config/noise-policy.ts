import type { EntityName, NoiseMode, RoutingConfig } from "./routing-schema.ts";
import { durationMs } from "./routing-schema.ts";

/**
 * What a finance team would choose when routing.yml says nothing: invoices and payments rolled
 * into one summary per period (awareness without a message each), purchase orders, GL vouchers
 * and accounts only when something is wrong (their exceptions), supplier master changes always
 * (a changed bank account is a classic fraud signal). Exceptions are posted in every mode.
 */
export const FINANCE_NOISE_DEFAULTS: Readonly<Record<EntityName, NoiseMode>> = {
  supplier_invoice: "digest",
  payment: "digest",
  purchase_order: "exceptions-only",
  gl_voucher: "exceptions-only",
  account: "exceptions-only",
  supplier: "all",
};

export interface NoisePolicy {
  /** Channel id → its own mode, or its modes per entity. */
  readonly channels: ReadonlyMap<string, NoiseMode | Partial<Record<EntityName, NoiseMode>>>;
  readonly entities: Partial<Record<EntityName, NoiseMode>>;
  readonly fallback: NoiseMode;
  readonly digestEveryMs: number;
}

export function toNoisePolicy(config: RoutingConfig): NoisePolicy {
  const { noise } = config;
  const channels = new Map<string, NoiseMode | Partial<Record<EntityName, NoiseMode>>>();
  for (const [alias, mode] of Object.entries(noise.channels)) {
    const id = config.channels[alias];
    if (id) channels.set(id, mode);
  }
  return {
    channels,
    // A default set in routing.yml replaces the finance defaults; named entities always win.
    entities: noise.default ? noise.entities : { ...FINANCE_NOISE_DEFAULTS, ...noise.entities },
    fallback: noise.default ?? "exceptions-only",
    digestEveryMs: durationMs(noise.digestEvery),
  };
}

/** The mode for one entity's records in one channel: channel+entity, channel, entity, default. */
export function noiseModeFor(policy: NoisePolicy, channel: string, entity: string): NoiseMode {
  const forChannel = policy.channels.get(channel);
  if (typeof forChannel === "string") return forChannel;
  const e = entity as EntityName;
  return forChannel?.[e] ?? policy.entities[e] ?? policy.fallback;
}

const WORDS: Readonly<Record<NoiseMode, string>> = {
  all: "every new or changed record is posted",
  "exceptions-only": "only exceptions, decisions and ops notices are posted",
  digest: "records are rolled into one summary message per period, edited in place",
};

/** `check-config`'s explanation of what each channel will hear, one line each. */
export function explainNoise(config: RoutingConfig): string[] {
  const policy = toNoisePolicy(config);
  const entities = Object.keys(FINANCE_NOISE_DEFAULTS) as EntityName[];
  const lines = [
    config.noise.default
      ? `noise: default ${config.noise.default} (${WORDS[config.noise.default]})`
      : "noise: no default set, the finance defaults apply (invoices and payments as digest, POs, GL and accounts exceptions-only, supplier changes all)",
    `noise: a digest period is ${config.noise.digestEvery}; exceptions and approvals are posted in every mode`,
  ];
  for (const [alias, id] of Object.entries(config.channels)) {
    const modes = entities.map((e) => `${e} ${noiseModeFor(policy, id, e)}`);
    lines.push(`noise: #${alias}: ${modes.join(", ")}`);
  }
  return lines;
}
