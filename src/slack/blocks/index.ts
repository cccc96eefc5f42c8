export * from "./alert.ts";
export * from "./decision.ts";
export * from "./format.ts";
export * from "./limits.ts";
export * from "./records.ts";
export type * from "./types.ts";
