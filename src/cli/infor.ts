import { decryptSecret, isEnvelope, parseKeyRing } from "../security/envelope.ts";
import { codeOf } from "../shared/error-code.ts";
import { inforCall, ionapiInspect } from "./infor-call.ts";
import type { CliCommand } from "./io.ts";

/**
 * An enc:v1 file (runbook section 2: `encrypt-secret --file tenant.ionapi`) is decrypted with
 * ENCRYPTION_KEYS, as `serve` does; a plain file passes through.
 */
function revealWith(env: Record<string, string | undefined>) {
  return (text: string, source: string): string => {
    if (!isEnvelope(text)) return text;
    if (!env.ENCRYPTION_KEYS) {
      throw new Error(`${source} is encrypted (enc:v1) but ENCRYPTION_KEYS is not set`);
    }
    try {
      return decryptSecret(text, parseKeyRing(env.ENCRYPTION_KEYS));
    } catch (err) {
      throw new Error(`${source} cannot be decrypted (${codeOf(err)})`);
    }
  };
}

/** `ionapi inspect <file>`: what the file says, secrets never shown (infor-call.ts). */
export const ionapiInspectCommand: CliCommand = (argv, io) =>
  ionapiInspect(argv, { ...io, reveal: revealWith(io.env) });

/**
 * `infor call PROGRAM/TRANSACTION K=V…`: one MI call with the app's own credentials (IONAPI_FILE
 * or IONAPI_JSON) when no --ionapi is given.
 */
export const inforCallCommand: CliCommand = (argv, io) =>
  inforCall(argv, { ...io, reveal: revealWith(io.env) });
