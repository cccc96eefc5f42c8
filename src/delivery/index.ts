export * from "./alert.ts";
export {
  type DeliveryConfig,
  type DeliveryConfigInput,
  deliveryConfigSchema,
  type QuietHours,
  quietHoursSchema,
} from "./config.ts";
export {
  type CreateDeliveryOptions,
  createDelivery,
  createSlackClient,
  type Delivery,
  type DeliveryStats,
  type ReplayFilter,
  type ReplayResult,
  type SlackOptions,
} from "./delivery.ts";
export { classify, FATAL_ERRORS, type Outcome } from "./errors.ts";
export { quietState } from "./quiet-hours.ts";
