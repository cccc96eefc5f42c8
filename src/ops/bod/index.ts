export {
  BOD_SIGNATURE_HEADER,
  type BodAuthConfig,
  type BodAuthResult,
  signBody,
  verifyBodAuth,
} from "./auth.ts";
export { readBoundedBody } from "./body.ts";
export { type BodEnvelope, readEnvelope } from "./envelope.ts";
export {
  type BodAuditEntry,
  type BodHandlerOptions,
  bodRoute,
  createBodHandler,
  DEFAULT_MAX_BOD_BYTES,
} from "./handler.ts";
export { type BodMapContext, NOUN_MAPPERS, splitM3AccountingEntity } from "./map.ts";
export { decodeText, parseSafeXml } from "./xml.ts";
