/**
 * Public surface of the Infor client. Typical wiring (one per tenant):
 *
 *   const client = createInforClient({ credentials: parseIonapi(text), redis, requestsPerMinute: 300,
 *                                      company: "100", division: "AAA" });
 *   const m3 = createM3Source(client.mi, { tenant: client.credentials.tenant, company: "100", division: "AAA" });
 *   for await (const batch of m3.listChanged("supplier_invoice", "2026-11-29", { pageSize: 500 })) { … }
 *   await client.close(); // revokes the token
 *
 * SyteLine: `createSyteLineSource(client.ido, { tenant, site })` with `mongooseConfig` set on the client.
 */
export { type CliIo, inforCall, ionapiInspect } from "./cli.ts";
export { type Clock, systemClock } from "./clock.ts";
export { createInforClient, type InforClient, type InforClientOptions } from "./create-client.ts";
export * from "./errors.ts";
export type { HttpStats, InforRequest, InforResponse } from "./http/client.ts";
export { InforHttpClient } from "./http/client.ts";
export { LocalRateLimiter, type RateLimiter, RedisRateLimiter } from "./http/rate-limiter.ts";
export type { RetryPolicy } from "./http/retry.ts";
export { LocalSignInGate, RedisSignInGate, type SignInGate } from "./http/signin-gate.ts";
export { IdoClient, type IdoItem } from "./ido/ido-client.ts";
export { createSyteLineSource, type SyteLineSourceOptions } from "./ido-source.ts";
export { checkedUrl, describeIonapi, type IonapiCredentials, parseIonapi } from "./ionapi.ts";
export { MiClient, type MiRecord, type MiResult, type MiVersion } from "./m3/mi-client.ts";
export { createM3Source, type M3SourceOptions } from "./m3-source.ts";
export type { MapFailure } from "./mapping/fields.ts";
export type {
  InforSource,
  ListOptions,
  Lookup,
  MappedBatch,
  PaymentQuery,
} from "./source.ts";
export { TokenManager } from "./token-manager.ts";
