import type { InforSimOptions } from "../../sandbox/infor-sim/options.ts";
import { type InforSim, startInforSim } from "../../sandbox/infor-sim/server.ts";
import { createInforClient, type InforClientOptions } from "../../src/infor/create-client.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";

export async function sim(options: InforSimOptions = {}): Promise<InforSim> {
  return startInforSim({ port: 0, seed: 7, ...options });
}

/** A client against the sim with fast retries (tests must stay short). */
export function simClient(s: InforSim, extra: Partial<InforClientOptions> = {}) {
  return createInforClient({
    credentials: parseIonapi(s.ionapi),
    requestsPerMinute: 100_000,
    company: "100",
    division: "AAA",
    retry: { baseMs: 10, capMs: 100, maxAttempts: 6 },
    ...extra,
  });
}
