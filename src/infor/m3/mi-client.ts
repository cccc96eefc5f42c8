import type { InforHttpClient } from "../http/client.ts";
import { type MiRecord, type MiResult, parseMiV1, parseMiV2 } from "./mi-parse.ts";

/**
 * M3 MI REST calls through the ION API gateway.
 * v2: GET {base}/M3/m3api-rest/v2/execute/{PROGRAM}/{TRANSACTION}?cono&divi&maxrecs&returncols
 *     &dateformat=YMD8&excludeempty=false&<inputs>
 * v1: GET {base}/M3/m3api-rest/execute/{PROGRAM}/{TRANSACTION};cono=…;maxrecs=…?<inputs>
 * (infor-ion-api.md; the m3-h5-sdk sends matrix params the same way). Tenants differ: both kept.
 */

export type MiVersion = "v1" | "v2";

export interface MiCallOptions {
  /** 0 = no limit (M3 semantics); default 100 like the m3-h5-sdk. */
  maxrecs?: number | undefined;
  returncols?: string[] | undefined;
  company?: string | undefined;
  division?: string | undefined;
  /** A transaction that changes M3 (approve, reject): sent once, never retried by the client. */
  write?: boolean | undefined;
}

export interface MiClientOptions {
  http: InforHttpClient;
  version?: MiVersion | undefined;
  company?: string | undefined;
  division?: string | undefined;
}

export class MiClient {
  readonly http: InforHttpClient;
  readonly version: MiVersion;
  private readonly company: string | undefined;
  private readonly division: string | undefined;

  constructor(o: MiClientOptions) {
    this.http = o.http;
    this.version = o.version ?? "v2";
    this.company = o.company;
    this.division = o.division;
  }

  async execute(
    program: string,
    transaction: string,
    inputs: Record<string, string | number | undefined> = {},
    options: MiCallOptions = {},
  ): Promise<MiResult> {
    const prog = encodeURIComponent(program.toUpperCase());
    const trans = encodeURIComponent(transaction);
    const cono = options.company ?? this.company;
    const divi = options.division ?? this.division;
    const maxrecs = options.maxrecs ?? 100;
    const returncols = options.returncols?.join(",");
    const once = options.write ? { idempotent: false } : {};
    if (this.version === "v2") {
      return this.http.sendParsed(
        {
          path: `/M3/m3api-rest/v2/execute/${prog}/${trans}`,
          query: {
            cono,
            divi,
            maxrecs,
            returncols,
            dateformat: "YMD8",
            excludeempty: "false",
            ...inputs,
          },
          ...once,
        },
        (res) => parseMiV2(res, program, transaction),
      );
    }
    const matrix = [
      cono !== undefined ? `cono=${encodeURIComponent(cono)}` : "",
      divi !== undefined ? `divi=${encodeURIComponent(divi)}` : "",
      `maxrecs=${maxrecs}`,
      returncols ? `returncols=${encodeURIComponent(returncols)}` : "",
    ]
      .filter(Boolean)
      .join(";");
    return this.http.sendParsed(
      { path: `/M3/m3api-rest/execute/${prog}/${trans};${matrix}`, query: inputs, ...once },
      (res) => parseMiV1(res, program, transaction),
    );
  }
}

export type { MiRecord, MiResult };
