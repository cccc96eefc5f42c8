/** The composed app: `startApp` builds every module from env + routing.yml and runs roles. */
export { AppError, type AppErrorCode } from "./errors.ts";
export { startApp } from "./start.ts";
export {
  type AppHandle,
  type AppOverrides,
  effectiveRoles,
  parseRoles,
  ROLES,
  type Role,
  type StartAppOptions,
} from "./types.ts";
