import {
  EnvelopeError,
  encryptSecret,
  generateKey,
  parseKeyRing,
  reencryptSecret,
} from "../security/envelope.ts";
import { commandFlags } from "./flags.ts";
import { type CliCommand, EXIT, readAll } from "./io.ts";

export const ENCRYPT_HELP = `Usage: cloudsuite-slack encrypt-secret [--key-id ID] < secret
       cloudsuite-slack encrypt-secret --file path/to/tenant.ionapi
       cloudsuite-slack rotate-secret < envelope
       cloudsuite-slack generate-key [--key-id ID]

encrypt-secret reads the secret from standard input (never from the command line, where shell
history and process lists would keep it) and prints an enc:v1 envelope for ENCRYPTION_KEYS'
first key (or --key-id). rotate-secret re-encrypts an envelope under the first key.
`;

function keyRingFrom(env: Record<string, string | undefined>) {
  const spec = env.ENCRYPTION_KEYS;
  if (!spec)
    throw new EnvelopeError("keyring_invalid", "ENCRYPTION_KEYS is not set (run generate-key)");
  return parseKeyRing(spec);
}

export const encryptSecretCommand: CliCommand = async (argv, io) => {
  const args = commandFlags(
    io,
    "encrypt-secret",
    argv,
    { file: "string", "key-id": "string" },
    // Positionals are parsed only to refuse them with the reason below.
    { positionals: true },
  );
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(ENCRYPT_HELP);
    return EXIT.ok;
  }
  if (args.positional.length > 0) {
    io.stderr.write(
      "encrypt-secret: the secret is read from standard input, not from arguments (they end up in shell history)\n",
    );
    return EXIT.usage;
  }
  try {
    const ring = keyRingFrom(io.env);
    const file = args.flags.get("file");
    let secret: string;
    if (typeof file === "string") {
      const { readFileSync } = await import("node:fs");
      secret = readFileSync(file, "utf8").trim();
    } else {
      if (io.stdinIsTty) io.stderr.write("Paste the secret, then press Ctrl-D:\n");
      secret = (await readAll(io.stdin)).replace(/\r?\n$/, "");
    }
    if (!secret) {
      io.stderr.write("encrypt-secret: nothing to encrypt on standard input\n");
      return EXIT.usage;
    }
    const keyId = args.flags.get("key-id");
    io.stdout.write(
      `${encryptSecret(secret, ring, typeof keyId === "string" ? keyId : undefined)}\n`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof EnvelopeError) {
      io.stderr.write(`encrypt-secret: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
};

export const rotateSecretCommand: CliCommand = async (argv, io) => {
  const args = commandFlags(io, "rotate-secret", argv, {});
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(ENCRYPT_HELP);
    return EXIT.ok;
  }
  try {
    const envelope = (await readAll(io.stdin)).trim();
    io.stdout.write(`${reencryptSecret(envelope, keyRingFrom(io.env))}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof EnvelopeError) {
      io.stderr.write(`rotate-secret: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
};

export const generateKeyCommand: CliCommand = async (argv, io) => {
  const args = commandFlags(io, "generate-key", argv, { "key-id": "string" });
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(ENCRYPT_HELP);
    return EXIT.ok;
  }
  const id = args.flags.get("key-id");
  const keyId =
    typeof id === "string" ? id : `k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`;
  io.stdout.write(`${keyId}:${generateKey()}\n`);
  io.stderr.write(
    "Put this first in ENCRYPTION_KEYS (keep older keys after it until every secret is rotated).\n",
  );
  return EXIT.ok;
};
