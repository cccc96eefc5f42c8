import { startInforSim } from "../../sandbox/infor-sim/server.ts";
import { createInforClient } from "../../src/infor/create-client.ts";
import { parseIonapi } from "../../src/infor/ionapi.ts";
import type { SourceWarning } from "../../src/infor/m3/column-catalog.ts";
import { createM3Source } from "../../src/infor/m3-source.ts";
import type { RedisClient } from "../../src/shared/redis-client.ts";
import type { SyncDeps } from "../../src/sync/deps.ts";
import { RecordingSink } from "./helpers.ts";

/**
 * Sync against the ION simulator (seed 11, 2026-11-30; open or strict) through the real Infor
 * client and M3 source, columns kept in Redis under `prefix`; changes land in a RecordingSink.
 */
export async function startSimSync(
  redis: RedisClient,
  prefix: string,
  strict: boolean,
  onWarning?: (w: SourceWarning) => void,
) {
  const sim = await startInforSim({ port: 0, seed: 11, startDate: "2026-11-30", strict });
  const client = createInforClient({
    credentials: parseIonapi(sim.ionapi),
    requestsPerMinute: 100_000,
    company: "100",
    division: "AAA",
    retry: { baseMs: 10, capMs: 100, maxAttempts: 4 },
  });
  const sink = new RecordingSink();
  const deps: SyncDeps = {
    redis,
    prefix,
    sink,
    clock: () => sim.control.now(),
    sourceFactory: (scope) =>
      createM3Source(client.mi, {
        tenant: scope.tenant,
        company: scope.company,
        division: scope.division,
        columnStore: redis,
        keyPrefix: prefix,
        ...(onWarning ? { onWarning } : {}),
      }),
  };
  return { sim, client, sink, deps };
}
