import { pino } from "pino";
import { createInforSide } from "../app/infor.ts";
import type { AppEnv } from "../config/env.ts";
import type { RoutingConfig } from "../config/routing-schema.ts";
import { codeOf } from "../shared/error-code.ts";
import { errorDetail } from "../sync/errors.ts";
import { schedulesFromRouting } from "../sync/from-routing.ts";

/**
 * `check-config --online`: what serve would read, tried once. Signs in with the `.ionapi` (as
 * serve does), then reads one small page of every configured (tenant, company, division, entity)
 * and says per entity whether it works and, when not, why in the ERP's own words. Dropped optional
 * columns and EXPORTMI refusals are printed as warnings. No Redis is needed: budget and column
 * detections stay in this process. Returns true when every entity read.
 */

export interface OnlineCheckIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export interface OnlineCheckOptions {
  env: AppEnv;
  routing: RoutingConfig;
  io: OnlineCheckIo;
  /** Rows asked for per entity (default 5): enough to map one page, cheap on the budget. */
  pageSize?: number;
  /** How far back the page reads (default 30 days); an empty page still proves access. */
  sinceDays?: number;
  now?: () => Date;
}

export async function checkOnline(o: OnlineCheckOptions): Promise<boolean> {
  const { io } = o;
  const now = (o.now ?? (() => new Date()))();
  const since = new Date(now.getTime() - (o.sinceDays ?? 30) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const side = createInforSide({
    ionapiText: o.env.ionapiText,
    routing: o.routing,
    prefix: o.env.redisPrefix,
    logger: pino({ level: "silent" }),
  });
  const warnings: string[] = [];
  side.onSourceWarning((w) => warnings.push(`${w.tenant} ${w.company} ${w.table}: ${w.message}`));
  let failures = 0;
  let total = 0;
  try {
    const signedIn = new Map<string, boolean>();
    for (const [tenant, client] of side.clients) {
      try {
        await client.tokens.getToken();
        const until = client.tokens.expiresAt?.toISOString() ?? "unknown";
        io.stdout.write(`online: signed in to ${tenant} (token valid until ${until})\n`);
        signedIn.set(tenant, true);
      } catch (err) {
        io.stderr.write(
          `online: sign-in to ${tenant} FAILED ${codeOf(err) ?? "error"}: ${errorDetail(err)}\n`,
        );
        signedIn.set(tenant, false);
      }
    }
    for (const s of schedulesFromRouting(o.routing)) {
      total++;
      const scope = `${s.tenant} ${s.company}${s.division ? `/${s.division}` : ""} ${s.entity}`;
      if (!signedIn.get(s.tenant)) {
        failures++;
        io.stderr.write(`  ${scope}: FAILED (no sign-in)\n`);
        continue;
      }
      const source = side.sourceFor({
        tenant: s.tenant,
        company: s.company,
        division: s.division ?? "",
      });
      if (!source.supports(s.entity)) {
        failures++;
        io.stderr.write(`  ${scope}: FAILED not supported for ${source.kind}\n`);
        continue;
      }
      const before = warnings.length;
      try {
        let read = 0;
        let setAside = 0;
        for await (const batch of source.listChanged(s.entity, since, {
          pageSize: o.pageSize ?? 5,
        })) {
          read += batch.records.length;
          setAside += batch.rejects.length;
          break; // one page is the proof; the rest is the poller's job
        }
        io.stdout.write(
          `  ${scope}: ok (${read} record(s) since ${since}${setAside ? `, ${setAside} set aside by mapping` : ""})\n`,
        );
      } catch (err) {
        failures++;
        io.stderr.write(`  ${scope}: FAILED ${codeOf(err) ?? "error"}: ${errorDetail(err)}\n`);
      }
      for (const w of warnings.slice(before)) io.stderr.write(`    warning: ${w}\n`);
    }
  } finally {
    await side.close();
  }
  io.stdout.write(
    failures === 0
      ? `online: all ${total} entities read\n`
      : `online: ${failures} of ${total} entities failed\n`,
  );
  return failures === 0;
}
