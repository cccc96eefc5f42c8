import type { Logger } from "pino";
import type { RoutingConfig } from "../config/routing-schema.ts";
import { createInforClient, type InforClient } from "../infor/create-client.ts";
import { createSyteLineSource } from "../infor/ido-source.ts";
import { type IonapiCredentials, parseIonapi } from "../infor/ionapi.ts";
import type { SourceWarning } from "../infor/m3/column-catalog.ts";
import { MiClient } from "../infor/m3/mi-client.ts";
import { createM3Source } from "../infor/m3-source.ts";
import type { InforSource } from "../infor/source.ts";
import type { RedisClient } from "../shared/redis-client.ts";
import { AppError } from "./errors.ts";

export interface Scope {
  tenant: string;
  company: string;
  division: string;
}

export interface InforSide {
  clients: Map<string, InforClient>;
  /** The source for a (tenant, company, division), built once and cached. */
  sourceFor(scope: Scope): InforSource;
  /** The first configured scope: what `/infor` lookups read. */
  primaryScope: Scope;
  /**
   * Where M3 sources report dropped columns and tables refused to EXPORTMI (once per change;
   * they are logged either way). The sync side points it at the ops channel.
   */
  onSourceWarning(listener: (warning: SourceWarning) => void): void;
  close(): Promise<void>;
}

/**
 * One Infor client per tenant (token manager, paced HTTP shared through Redis) and one source
 * per company/division on top of it. The environment holds one `.ionapi`: its `ti` must be a
 * tenant of routing.yml; a routing tenant without credentials stops start-up, naming it.
 */
export function createInforSide(o: {
  ionapiText: string;
  routing: RoutingConfig;
  /** Shared budget and column detections; without it (check-config --online) both are local. */
  redis?: RedisClient;
  prefix: string;
  logger: Logger;
  requestsPerMinute?: number;
}): InforSide {
  let credentials: IonapiCredentials;
  try {
    credentials = parseIonapi(o.ionapiText);
  } catch (err) {
    throw new AppError("bad_ionapi", `the .ionapi is not usable: ${(err as Error).message}`);
  }
  const clients = new Map<string, InforClient>();
  for (const tenant of o.routing.tenants) {
    if (tenant.id !== credentials.tenant) {
      throw new AppError(
        "tenant_without_ionapi",
        `routing.yml tenant "${tenant.id}" has no .ionapi: the configured .ionapi is for "${credentials.tenant}"`,
      );
    }
    clients.set(
      tenant.id,
      createInforClient({
        credentials,
        requestsPerMinute: o.requestsPerMinute ?? tenant.requestsPerMinute,
        ...(o.redis ? { redis: o.redis } : {}),
        keyPrefix: o.prefix,
        logger: o.logger.child({ tenant: tenant.id }),
      }),
    );
  }
  const first = o.routing.tenants[0];
  const firstCompany = first?.companies[0];
  const primaryScope: Scope = {
    tenant: first?.id ?? credentials.tenant,
    company: firstCompany?.company ?? "",
    division: firstCompany?.divisions[0] ?? "",
  };
  const sources = new Map<string, InforSource>();
  let warningListener: ((warning: SourceWarning) => void) | undefined;

  return {
    clients,
    primaryScope,
    onSourceWarning(listener) {
      warningListener = listener;
    },
    sourceFor(scope) {
      const id = `${scope.tenant}\u0000${scope.company}\u0000${scope.division}`;
      const cached = sources.get(id);
      if (cached) return cached;
      const client = clients.get(scope.tenant);
      const tenant = o.routing.tenants.find((t) => t.id === scope.tenant);
      if (!client || !tenant) {
        throw new AppError("tenant_without_ionapi", `no Infor client for tenant ${scope.tenant}`);
      }
      let source: InforSource;
      if (tenant.erp === "syteline") {
        const company = tenant.companies.find((c) => c.company === scope.company);
        source = createSyteLineSource(client.ido, {
          tenant: scope.tenant,
          site: company?.site ?? scope.company,
        });
      } else {
        // A MiClient per scope on the tenant's shared HTTP client: one token, one budget.
        const mi = new MiClient({
          http: client.http,
          company: scope.company,
          division: scope.division,
        });
        const company = tenant.companies.find((c) => c.company === scope.company);
        // Column detections live in Redis: replicas share them and one warning covers all.
        source = createM3Source(mi, {
          ...scope,
          ...(company ? { costCenterDimension: company.costCenterDimension } : {}),
          logger: o.logger,
          ...(o.redis ? { columnStore: o.redis } : {}),
          keyPrefix: o.prefix,
          onWarning: (w) => warningListener?.(w),
        });
      }
      sources.set(id, source);
      return source;
    },
    async close() {
      for (const c of clients.values()) await c.close();
    },
  };
}
