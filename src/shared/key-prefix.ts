/**
 * The prefix of every Redis key the app writes (REDIS_PREFIX overrides it, so deployments can
 * share one Redis). Modules default to it when a caller passes none, so a key read by one module
 * and written by another never ends up under two prefixes.
 */
export const DEFAULT_KEY_PREFIX = "cs:";
