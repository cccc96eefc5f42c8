export { AuditLog, type AuditLogOptions } from "./log.ts";
export { sanitize } from "./sanitize.ts";
export * from "./types.ts";
