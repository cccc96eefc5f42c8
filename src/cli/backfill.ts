import { entityName } from "../config/routing-schema.ts";
import { backfill } from "../sync/backfill.ts";
import { SyncError } from "../sync/errors.ts";
import { commandFlags } from "./flags.ts";
import { type CliCommand, EXIT } from "./io.ts";
import { stringFlag, withCore } from "./tasks.ts";

export const BACKFILL_HELP = `Usage: cloudsuite-slack backfill --entity E --since YYYY-MM-DD
                                 [--tenant T] [--company C] [--division D]

Imports history deliberately: records of entity E changed since the date, for every configured
schedule of E (or the one narrowed by --tenant/--company/--division). Records already seen stay
quiet; new ones become alerts, posted at Slack's pace by the running workers.
Entities: ${entityName.options.join(", ")}.
`;

export const backfillCommand: CliCommand = async (argv, io) => {
  const args = commandFlags(io, "backfill", argv, {
    entity: "string",
    since: "string",
    tenant: "string",
    company: "string",
    division: "string",
    routing: "string",
  });
  if (!args) return EXIT.usage;
  if (args.flags.has("help")) {
    io.stdout.write(BACKFILL_HELP);
    return EXIT.ok;
  }
  const entity = entityName.safeParse(stringFlag(args, "entity"));
  const since = stringFlag(args, "since");
  if (!entity.success || !since || !/^\d{4}-\d{2}-\d{2}$/.test(since)) {
    io.stderr.write(
      `backfill: --entity (one of ${entityName.options.join(", ")}) and --since YYYY-MM-DD are required\n`,
    );
    return EXIT.usage;
  }
  const tenant = stringFlag(args, "tenant");
  const company = stringFlag(args, "company");
  const division = stringFlag(args, "division");
  const code = await withCore(io, args, "backfill", async (core) => {
    try {
      const results = await backfill(core.sync.deps, {
        schedules: core.sync.schedules,
        entity: entity.data,
        since,
        ...(tenant !== undefined ? { tenant } : {}),
        ...(company !== undefined ? { company } : {}),
        ...(division !== undefined ? { division } : {}),
      });
      for (const r of results) {
        const where = `${r.key.tenant}/${r.key.company}${r.key.division ? `/${r.key.division}` : ""}`;
        if (r.status === "skipped_busy") io.stdout.write(`${where}: busy, try again\n`);
        else {
          const c = r.counts;
          io.stdout.write(
            `${where} ${r.key.entity}: read ${c.read}, new ${c.new}, updated ${c.updated}, unchanged ${c.unchanged}, quarantined ${c.quarantined}\n`,
          );
        }
      }
      return EXIT.ok;
    } catch (err) {
      if (err instanceof SyncError) {
        io.stderr.write(`backfill: ${err.code}: ${err.message}\n`);
        return err.code === "sync_bad_config" ? EXIT.usage : EXIT.failed;
      }
      throw err;
    }
  });
  return code ?? EXIT.usage;
};
