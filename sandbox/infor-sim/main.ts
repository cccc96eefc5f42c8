import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import pino from "pino";
import { startInforSim } from "./server.ts";

/** `npm run sim:infor`: runs the simulator alone and writes the .ionapi file it serves. */
const env = process.env;
const logger = pino({ level: env.LOG_LEVEL ?? "info" });
const sim = await startInforSim({
  port: Number(env.INFOR_SIM_PORT ?? "0"),
  seed: Number(env.INFOR_SIM_SEED ?? "1"),
  requestsPerMinute: Number(env.INFOR_SIM_RPM ?? "0"),
  ...(env.INFOR_SIM_TENANTS ? { tenants: env.INFOR_SIM_TENANTS.split(",") } : {}),
  ...(env.INFOR_SIM_INVOICES ? { data: { invoices: Number(env.INFOR_SIM_INVOICES) } } : {}),
  // A tenant lacking optional columns and refusing some tables (SUPPORTED.md, strict mode).
  strict: env.INFOR_SIM_STRICT === "1",
  logger,
});
const file = resolve(env.INFOR_SIM_IONAPI ?? "sandbox/.data/infor-sim.ionapi");
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(sim.ionapi, null, 2)}\n`, { mode: 0o600 });
process.stdout.write(
  [
    `infor-sim listening on ${sim.url}`,
    `  tenant     ${sim.tenant}`,
    `  .ionapi    ${file}`,
    `  token URL  ${sim.ionapi.pu}${sim.ionapi.ot}`,
    `  M3 base    ${sim.url}/${sim.tenant}/M3/m3api-rest/v2/execute/`,
    `  IDO base   ${sim.url}/${sim.tenant}/CSI/IDORequestService/ido/load/`,
    `  control    ${sim.url}/_sim/counters`,
    `  strict     ${env.INFOR_SIM_STRICT === "1" ? "on (INFOR_SIM_STRICT=1)" : "off"}`,
    "Ctrl-C stops.",
    "",
  ].join("\n"),
);
const stop = async (): Promise<void> => {
  await sim.close();
  process.exit(0);
};
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
