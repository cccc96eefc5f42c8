import { afterAll, afterEach, beforeAll } from "vitest";
import {
  type InforSim,
  type InforSimOptions,
  startInforSim,
} from "../../sandbox/infor-sim/server.ts";

/** Small, fixed data and a fixed clock start so tests are fast and repeatable. */
export async function startSim(options: InforSimOptions = {}): Promise<InforSim> {
  return startInforSim({
    seed: 42,
    startDate: "2026-11-30",
    data: { suppliersPerCompany: 12, purchaseOrders: 20, invoices: 40, manualVouchers: 4 },
    ...options,
  });
}

/** Starts sims inside a test and closes every one of them after it (call at the top level). */
export function simPerTest(): (options?: InforSimOptions) => Promise<InforSim> {
  const started: InforSim[] = [];
  afterEach(async () => {
    for (const sim of started.splice(0)) await sim.close();
  });
  return async (options) => {
    const sim = await startSim(options);
    started.push(sim);
    return sim;
  };
}

/** One sim and a signed-in caller shared by the file's tests (call at the top level). */
export function simPerFile(options?: InforSimOptions): {
  readonly sim: InforSim;
  readonly api: Caller;
} {
  let sim: InforSim | undefined;
  let api: Caller | undefined;
  beforeAll(async () => {
    sim = await startSim(options);
    api = await caller(sim);
  });
  afterAll(async () => {
    await sim?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error("the file's sim is not started yet (use it in a test)");
    return value;
  };
  return {
    get sim() {
      return ready(sim);
    },
    get api() {
      return ready(api);
    },
  };
}

export function form(values: Record<string, string>): URLSearchParams {
  return new URLSearchParams(values);
}

/** POSTs a form to the tenant's token endpoint (`pu` + `ot`). */
export async function tokenRequest(
  sim: InforSim,
  fields: Record<string, string>,
  tenant = sim.tenant,
): Promise<Response> {
  const io = sim.ionapiFor(tenant);
  return fetch(`${io.pu}${io.ot}`, { method: "POST", body: form(fields) });
}

/** The backend-service password grant, client credentials in the form; `over` changes fields. */
export async function passwordGrant(
  sim: InforSim,
  tenant = sim.tenant,
  over: Record<string, string> = {},
): Promise<Response> {
  const io = sim.ionapiFor(tenant);
  return tokenRequest(
    sim,
    {
      grant_type: "password",
      username: io.saak,
      password: io.sask,
      client_id: io.ci,
      client_secret: io.cs,
      ...over,
    },
    tenant,
  );
}

export async function signIn(sim: InforSim, tenant = sim.tenant): Promise<string> {
  const res = await passwordGrant(sim, tenant);
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

export interface Caller {
  token: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  json<T = unknown>(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
}

/** Calls `{iu}/{ti}/<path>` with a bearer token. */
export async function caller(sim: InforSim, tenant = sim.tenant): Promise<Caller> {
  const token = await signIn(sim, tenant);
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${sim.url}/${tenant}/${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  return {
    token,
    get,
    json: async <T>(path: string, headers: Record<string, string> = {}) => {
      const res = await get(path, headers);
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

export interface V2Body {
  results: Array<{
    transaction: string;
    records: Array<Record<string, string>>;
    errorMessage?: string;
    errorCode?: string;
    errorField?: string;
    errorType?: string;
  }>;
  nrOfSuccessfullTransactions: number;
  nrOfFailedTransactions: number;
  wasTerminated: boolean | string;
  errorMessage?: string;
}

export const v2 = (program: string, transaction: string, query = ""): string =>
  `M3/m3api-rest/v2/execute/${program}/${transaction}${query}`;

export function records(body: V2Body): Array<Record<string, string>> {
  return body.results[0]?.records ?? [];
}
