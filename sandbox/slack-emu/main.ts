// `npm run emu:slack [-- --port 3001 --time-scale 10 --app-url http://127.0.0.1:3000/slack/events]`
// Environment works too: SLACK_EMU_PORT, SLACK_EMU_TIME_SCALE, SLACK_EMU_APP_URL,
// SLACK_EMU_BOT_TOKEN, SLACK_EMU_SIGNING_SECRET. Ctrl-C stops it.
import { parseArgs } from "node:util";
import { slackLimits } from "./limits.ts";
import { type SlackEmuOptions, startSlackEmu } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    "time-scale": { type: "string" },
    "app-url": { type: "string" },
    "channel-burst": { type: "string" },
    "tier-window": { type: "string" },
  },
});
const env = process.env;
const opts: SlackEmuOptions = {
  port: Number(values.port ?? env.SLACK_EMU_PORT ?? 0),
  timeScale: Number(values["time-scale"] ?? env.SLACK_EMU_TIME_SCALE ?? 1),
};
const burst = values["channel-burst"];
if (burst !== undefined && !["0", "1", "2", "3"].includes(burst)) {
  process.stderr.write(`--channel-burst: expected 0, 1, 2 or 3, got ${JSON.stringify(burst)}\n`);
  process.exit(2);
}
const tierWindow = values["tier-window"];
if (tierWindow !== undefined && tierWindow !== "token" && tierWindow !== "minute") {
  process.stderr.write(
    `--tier-window: expected token or minute, got ${JSON.stringify(tierWindow)}\n`,
  );
  process.exit(2);
}
opts.limits = slackLimits({
  ...(burst !== undefined ? { channelBurst: Number(burst) as 0 | 1 | 2 | 3 } : {}),
  ...(tierWindow ? { tierWindow } : {}),
});
const appUrl = values["app-url"] ?? env.SLACK_EMU_APP_URL;
if (appUrl) opts.appRequestUrl = appUrl;
if (env.SLACK_EMU_BOT_TOKEN) opts.botToken = env.SLACK_EMU_BOT_TOKEN;
if (env.SLACK_EMU_SIGNING_SECRET) opts.signingSecret = env.SLACK_EMU_SIGNING_SECRET;

const emu = await startSlackEmu(opts);
const out = [
  "Slack emulator running",
  `  Web API (slackApiUrl): ${emu.url}`,
  `  web view:              ${emu.origin}/`,
  `  inspection:            ${emu.origin}/_emu/channels  (events: ${emu.origin}/_emu/events)`,
  `  time scale:            ${emu.timeScale}`,
  `  app request URL:       ${emu.platform.requestUrl ?? "(not set: --app-url)"}`,
  // The built-in fake credentials are printed so a local app can be pointed at the emulator;
  // values given through the environment are never echoed.
  `  bot token:             ${env.SLACK_EMU_BOT_TOKEN ? "(from SLACK_EMU_BOT_TOKEN)" : emu.botToken}`,
  `  signing secret:        ${env.SLACK_EMU_SIGNING_SECRET ? "(from SLACK_EMU_SIGNING_SECRET)" : emu.signingSecret}`,
  "Ctrl-C to stop",
];
process.stdout.write(`${out.join("\n")}\n`);

const stop = () => {
  emu.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
