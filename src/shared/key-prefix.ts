/**
 * The prefix of every Redis key the app writes (REDIS_PREFIX overrides it, so deployments can
 * share one Redis). Modules default to it when a caller passes none, so a key read by one module
 * and written by another never ends up under two prefixes.
 */
export const DEFAULT_KEY_PREFIX = "cs:";

/**
 * The default in Redis Cluster mode: the same prefix as a hash tag, so every key of a deployment
 * (and of its BullMQ queues, under `{cs}:bull`) hashes to one slot (shared/redis-client.ts).
 */
export const CLUSTER_KEY_PREFIX = "{cs}:";
