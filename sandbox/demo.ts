// `npm run demo`: the simulators and the app in one process; Ctrl-C stops everything.
import { DEMO_USERS } from "./demo/routing.ts";
import { startDemo } from "./demo/start.ts";

// From process start, so module loading counts too.
const started = Date.now() - process.uptime() * 1000;
process.stdout.write(
  "Starting the cloudsuite-slack demo (Redis, ION simulator, Slack emulator, app)…\n",
);

let demo: Awaited<ReturnType<typeof startDemo>>;
try {
  demo = await startDemo();
} catch (err) {
  process.stderr.write(`demo: could not start: ${(err as Error).message}\n`);
  process.exit(1);
}

const names = (list: readonly { id: string; name: string }[]) =>
  list.map((u) => `${u.name} (${u.id})`).join(", ");
process.stdout.write(
  [
    "",
    `  Web view (open this):  ${demo.webView}`,
    `  App:                   ${demo.appUrl}  (/healthz /readyz /metrics)`,
    `  ION API simulator:     ${demo.simUrl}`,
    `  Redis:                 ${demo.redis.origin === "private" ? `private redis-server at ${demo.redis.url}` : `${demo.redis.url} (keys under ${demo.redis.prefix})`}`,
    `  routing.yml:           ${demo.routingFile}`,
    "",
    `  Approvers:             ${names(DEMO_USERS.approvers)}`,
    `  Not approvers:         ${names(DEMO_USERS.nonApprovers)}`,
    `  Admin (/infor replay): ${DEMO_USERS.admin.name} (${DEMO_USERS.admin.id})`,
    "",
    "  In the web view, pick who you are at the top left. Price variances wait for a decision",
    "  in #cc-200-sales (and #cc-100-operations): Approve as Bo Approver, or try it as Dina Clerk",
    "  to see the refusal. Type /infor po <number>, /infor status or /infor help in any channel.",
    `  Ready in ${((Date.now() - started) / 1000).toFixed(1)} s; new ERP activity every 15 s. Ctrl-C stops everything.`,
    "",
  ].join("\n"),
);

// Report when the first alert shows up (the demo's promise: within a minute).
const unsubscribe = demo.emu.inspect.subscribe((event: { type: string }) => {
  if (event.type !== "message") return;
  unsubscribe();
  process.stdout.write(
    `  First alert posted ${((Date.now() - started) / 1000).toFixed(1)} s after start.\n`,
  );
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) {
    process.stderr.write("demo: second signal, exiting now\n");
    process.exit(130);
  }
  stopping = true;
  process.stdout.write(`\n${signal}: stopping…\n`);
  demo.close().then(
    () => {
      process.stdout.write("demo: stopped; nothing left running.\n");
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`demo: stop failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
