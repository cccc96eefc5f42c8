import { inforCall, ionapiInspect } from "../infor/cli.ts";
import { decryptSecret, isEnvelope, parseKeyRing } from "../security/envelope.ts";
import { codeOf } from "../shared/error-code.ts";
import { type CliCommand, EXIT } from "./io.ts";

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

/** `ionapi inspect <file>`: what the file says, secrets never shown (src/infor/cli.ts). */
export const ionapiInspectCommand: CliCommand = (argv, io) =>
  ionapiInspect(argv, { ...io, reveal: revealWith(io.env) });

/**
 * `infor call PROGRAM/TRANSACTION K=V…`: one MI call with the app's own credentials when no
 * --ionapi is given. The handler reads INFOR_IONAPI_FILE / INFOR_IONAPI; the app's variables
 * (IONAPI_FILE or IONAPI_JSON, possibly enc:v1 under ENCRYPTION_KEYS) are mapped onto them here.
 */
export const inforCallCommand: CliCommand = async (argv, io) => {
  const env = { ...io.env };
  if (
    !argv.some((a) => a === "--ionapi" || a.startsWith("--ionapi=")) &&
    !env.INFOR_IONAPI_FILE &&
    !env.INFOR_IONAPI
  ) {
    const inline = env.IONAPI_JSON?.trim();
    if (env.IONAPI_FILE && !inline) env.INFOR_IONAPI_FILE = env.IONAPI_FILE;
    else if (inline) {
      if (isEnvelope(inline)) {
        if (!env.ENCRYPTION_KEYS) {
          io.stderr.write("IONAPI_JSON is encrypted (enc:v1) but ENCRYPTION_KEYS is not set\n");
          return EXIT.usage;
        }
        try {
          env.INFOR_IONAPI = decryptSecret(inline, parseKeyRing(env.ENCRYPTION_KEYS));
        } catch (err) {
          io.stderr.write(`IONAPI_JSON cannot be decrypted (${codeOf(err)})\n`);
          return EXIT.usage;
        }
      } else env.INFOR_IONAPI = inline;
    }
  }
  return inforCall(argv, { ...io, env, reveal: revealWith(env) });
};
