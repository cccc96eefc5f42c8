import type { ScenarioKeys, TenantData } from "../data/model.ts";
import { type EventCounters, eventsForUpsert, type SimEventConfig } from "../events/emitter.ts";
import type { FaultSpec } from "../gateway/faults.ts";
import { MinuteWindow, RollingMinute } from "../gateway/limits.ts";
import type { SimConfig } from "../options.ts";
import {
  type Counters,
  emptyCounters,
  type LogEntry,
  type SimState,
  type TenantState,
} from "../state.ts";
import { type ApprovalControl, createApprovalControl } from "./approvals.ts";
import { ControlError, type Fields, upsertRecord } from "./records.ts";

export interface IonapiFile {
  ti: string;
  cn: string;
  ci: string;
  cs: string;
  iu: string;
  pu: string;
  oa: string;
  ot: string;
  or: string;
  saak: string;
  sask: string;
  ev: string;
  v: string;
  dt: string;
}

/** What ION gives a Web/mobile app: no service-account keys, a redirect URL (`ru`) instead. */
export type WebAppIonapiFile = Omit<IonapiFile, "saak" | "sask"> & { ru: string };

/** In-process control of a running sim; `/_sim/` exposes the same operations over HTTP. */
export interface InforSimControl {
  counters(): Counters;
  log(): LogEntry[];
  /** Clears counters, log, faults, tokens and rate windows; `data: true` also regenerates the data. */
  reset(options?: { data?: boolean }): void;
  now(): Date;
  advanceClock(seconds: number): Date;
  setClock(iso: string): Date;
  addFault(fault: FaultSpec): void;
  clearFaults(): void;
  faults(): FaultSpec[];
  /** Expires one access token (or all) now; returns how many. */
  expireTokens(token?: string): number;
  configure(patch: Partial<SimConfig>): SimConfig;
  upsert(kind: string, fields: Fields, tenant?: string): unknown;
  /** Where and how M3 database events go (url "" = off); resets the event counters. */
  configureEvents(config: SimEventConfig): SimEventConfig;
  eventCounters(): EventCounters;
  scenarios(tenant?: string): ScenarioKeys;
  ionapiFor(tenant?: string): IonapiFile;
  /** The file of a Web/mobile app registration (no saak/sask): a backend poller cannot use it. */
  webAppIonapiFor(tenant?: string): WebAppIonapiFile;
  /** The live data of a tenant (read it; change it through `upsert` so caches see the change). */
  data(tenant?: string): TenantData;
  /** Approval flow: decisions taken "in M3", lost answers, refusals; what M3 applied. */
  approvals: ApprovalControl;
}

export function createControl(state: SimState, baseUrl: () => string): InforSimControl {
  const tenantOf = (id?: string): TenantState => {
    const tenant = id ? state.tenants.get(id) : state.tenants.values().next().value;
    if (!tenant) throw new ControlError("unknown_tenant", `tenant ${id ?? ""} is not served`, 404);
    return tenant;
  };
  // The two registrations differ only in their name and what the middle holds (keys in the order
  // the ION API gateway writes them).
  const ionapiFile = <T extends object>(tenant: string | undefined, cn: string, middle: T) => {
    const t = tenantOf(tenant);
    const url = baseUrl();
    return {
      ti: t.id,
      cn,
      ci: t.credentials.ci,
      cs: t.credentials.cs,
      iu: url,
      pu: `${url}/${t.id}/as/`,
      oa: "authorization.oauth2",
      ot: "token.oauth2",
      or: "revoke_token.oauth2",
      ...middle,
      ev: "U1",
      v: "1.1",
      dt: "12",
    };
  };
  return {
    counters: () => structuredClone(state.counters),
    log: () => [...state.log],
    reset: (options = {}) => {
      state.counters = emptyCounters();
      state.log = [];
      state.faults.clear();
      state.tokens.clear();
      for (const tenant of state.tenants.values()) {
        tenant.window = new MinuteWindow();
        tenant.signIns = new RollingMinute();
        if (options.data) tenant.data = state.generate(tenant.id, tenant.seed);
      }
    },
    now: () => new Date(state.now()),
    advanceClock: (seconds) => {
      state.advance(seconds);
      return new Date(state.now());
    },
    setClock: (iso) => {
      state.setClock(iso);
      return new Date(state.now());
    },
    addFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    faults: () => state.faults.list(),
    expireTokens: (token) => state.tokens.expire(state.now(), token),
    configure: (patch) => {
      for (const [key, value] of Object.entries(patch)) {
        if (!(key in state.config))
          throw new ControlError("unknown_setting", `setting ${key} is not known`);
        (state.config as unknown as Record<string, unknown>)[key] = value;
      }
      return { ...state.config };
    },
    upsert: (kind, fields, tenant) => {
      const t = tenantOf(tenant ?? (typeof fields.tenant === "string" ? fields.tenant : undefined));
      const result = upsertRecord({ data: t.data, today: state.today() }, kind, fields);
      state.events.emit(eventsForUpsert(kind, fields, result, t.data, state.now()));
      return result;
    },
    configureEvents: (config) => state.events.configure(config),
    eventCounters: () => structuredClone(state.events.counters),
    scenarios: (tenant) => structuredClone(tenantOf(tenant).data.scenarios),
    data: (tenant) => tenantOf(tenant).data,
    approvals: createApprovalControl(
      (tenant) => tenantOf(tenant).data,
      // A decision taken in M3 updates the batch head (FAPIBH SUPA): M3 raises its event.
      (invoice, tenant) =>
        state.events.emit(
          eventsForUpsert(
            "invoice",
            { INBN: invoice.inbn },
            invoice,
            tenantOf(tenant).data,
            state.now(),
          ),
        ),
    ),
    webAppIonapiFor: (tenant) =>
      ionapiFile(tenant, "infor-sim web app", { ru: "https://app.example.com/callback" }),
    ionapiFor: (tenant) => {
      const { saak, sask } = tenantOf(tenant).credentials;
      return ionapiFile(tenant, "infor-sim", { saak, sask });
    },
  };
}
