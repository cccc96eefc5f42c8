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

export function form(values: Record<string, string>): URLSearchParams {
  return new URLSearchParams(values);
}

export async function passwordGrant(sim: InforSim, tenant = sim.tenant): Promise<Response> {
  const io = sim.ionapiFor(tenant);
  return fetch(`${io.pu}${io.ot}`, {
    method: "POST",
    body: form({
      grant_type: "password",
      username: io.saak,
      password: io.sask,
      client_id: io.ci,
      client_secret: io.cs,
    }),
  });
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
  wasTerminated: boolean;
  errorMessage?: string;
}

export const v2 = (program: string, transaction: string, query = ""): string =>
  `M3/m3api-rest/v2/execute/${program}/${transaction}${query}`;

export function records(body: V2Body): Array<Record<string, string>> {
  return body.results[0]?.records ?? [];
}
