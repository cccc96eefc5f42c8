import { randomBytes } from "node:crypto";
import { ymd } from "./data/dates.ts";
import { generateTenantData } from "./data/generate.ts";
import type { TenantData } from "./data/model.ts";
import { createRng } from "./data/rng.ts";
import { EventEmitter } from "./events/emitter.ts";
import { FaultPlan } from "./gateway/faults.ts";
import { MinuteWindow, RollingMinute } from "./gateway/limits.ts";
import { TokenStore } from "./gateway/tokens.ts";
import { configFrom, type InforSimOptions, type SimConfig } from "./options.ts";

export interface TenantCredentials {
  ci: string;
  cs: string;
  saak: string;
  sask: string;
}

export interface TenantState {
  id: string;
  credentials: TenantCredentials;
  data: TenantData;
  window: MinuteWindow;
  signIns: RollingMinute;
  seed: number;
}

export interface LogEntry {
  method: string;
  path: string;
  status: number;
  /** ISO time on the sim clock. */
  at: string;
  tenant?: string;
  fault?: string;
}

export interface Counters {
  requests: number;
  apiRequests: number;
  status429: number;
  unauthorized: number;
  signIns: number;
  refreshes: number;
  revokes: number;
  signInsRefused: number;
  invalidGrants: number;
  /** API calls delayed by rate smoothing. */
  smoothed: number;
  faults: Record<string, number>;
}

export const LOG_LIMIT = 10_000;

export function emptyCounters(): Counters {
  return {
    requests: 0,
    apiRequests: 0,
    status429: 0,
    unauthorized: 0,
    signIns: 0,
    refreshes: 0,
    revokes: 0,
    signInsRefused: 0,
    invalidGrants: 0,
    smoothed: 0,
    faults: {},
  };
}

/** Everything the running sim holds; one object so control and handlers share it. */
export class SimState {
  readonly config: SimConfig;
  readonly tenants = new Map<string, TenantState>();
  readonly tokens = new TokenStore();
  readonly faults: FaultPlan;
  readonly options: InforSimOptions;
  /** M3 Event Subscriber web service: database events POSTed when data changes. */
  readonly events = new EventEmitter();
  log: LogEntry[] = [];
  counters: Counters = emptyCounters();
  private readonly source: () => number;
  private readonly base: number;
  private offsetMs = 0;

  constructor(options: InforSimOptions) {
    this.options = options;
    this.config = configFrom(options);
    this.source = options.now ?? Date.now;
    const start = this.source();
    this.base = options.startDate ? Date.parse(`${options.startDate}T08:00:00Z`) - start : 0;
    this.faults = new FaultPlan(createRng((options.seed ?? 1) ^ 0x5eed));
    if (options.events) this.events.configure(options.events);
    const ids = options.tenants && options.tenants.length > 0 ? options.tenants : ["SIMCO_TST"];
    ids.forEach((id, index) => {
      const seed = (options.seed ?? 1) + index * 7919;
      this.tenants.set(id, {
        id,
        seed,
        credentials: {
          ci: `${id}~simclient`,
          cs: randomBytes(18).toString("base64url"),
          saak: `${id}#simsaak`,
          sask: randomBytes(18).toString("base64url"),
        },
        data: this.generate(id, seed),
        window: new MinuteWindow(),
        signIns: new RollingMinute(),
      });
    });
  }

  generate(tenant: string, seed: number): TenantData {
    return generateTenantData({
      tenant,
      seed,
      today: this.today(),
      ...(this.options.data ? { size: this.options.data } : {}),
      ...(this.options.m3InvoicedQtyAt ? { invoicedQtyAt: this.options.m3InvoicedQtyAt } : {}),
      ...(this.options.m3InvoiceLineDimensions === false ? { invoiceLineDimensions: false } : {}),
    });
  }

  /** Sim clock, epoch ms. */
  now(): number {
    return this.source() + this.base + this.offsetMs;
  }

  today(): string {
    return ymd(this.now());
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  setClock(iso: string): void {
    const target = Date.parse(iso);
    if (Number.isNaN(target)) throw new Error(`not a date: ${iso}`);
    this.offsetMs += target - this.now();
  }

  record(entry: Omit<LogEntry, "at">): void {
    this.log.push({ ...entry, at: new Date(this.now()).toISOString() });
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
  }
}
