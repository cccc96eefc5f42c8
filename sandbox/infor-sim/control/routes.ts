import type { SimEventConfig } from "../events/emitter.ts";
import type { FaultSpec } from "../gateway/faults.ts";
import { json, type Reply } from "../http/reply.ts";
import type { SimConfig } from "../options.ts";
import type { ApprovalDecisionInM3, ApprovalSimSettings } from "./approvals.ts";
import type { InforSimControl } from "./control.ts";
import { ControlError, type Fields } from "./records.ts";

/** `/_sim/...` routes over the in-process control. */
export function handleControl(
  control: InforSimControl,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Reply {
  const input = (body ?? {}) as Record<string, unknown>;
  const tenant =
    query.get("tenant") ?? (typeof input.tenant === "string" ? input.tenant : undefined);
  try {
    const route = `${method} ${path}`;
    switch (route) {
      case "GET /_sim/counters":
        return json(200, control.counters());
      case "GET /_sim/log":
        return json(200, control.log());
      case "POST /_sim/reset":
        control.reset({ data: input.data === true });
        return json(200, { ok: true });
      case "GET /_sim/clock":
        return json(200, { now: control.now().toISOString() });
      case "POST /_sim/clock": {
        const now =
          typeof input.set === "string"
            ? control.setClock(input.set)
            : control.advanceClock(Number(input.advanceSeconds ?? 0));
        return json(200, { now: now.toISOString() });
      }
      case "GET /_sim/faults":
        return json(200, control.faults());
      case "POST /_sim/faults":
        control.addFault(input as unknown as FaultSpec);
        return json(200, control.faults());
      case "DELETE /_sim/faults":
        control.clearFaults();
        return json(200, []);
      case "POST /_sim/tokens/expire":
        return json(200, {
          expired: control.expireTokens(typeof input.token === "string" ? input.token : undefined),
        });
      case "POST /_sim/config":
        return json(200, control.configure(input as Partial<SimConfig>));
      case "GET /_sim/scenarios":
        return json(200, control.scenarios(tenant));
      case "GET /_sim/ionapi":
        return json(
          200,
          query.get("app") === "web" ? control.webAppIonapiFor(tenant) : control.ionapiFor(tenant),
        );
      case "POST /_sim/approvals/decide":
        control.approvals.decideInM3(input as unknown as ApprovalDecisionInM3, tenant);
        return json(200, { ok: true });
      case "POST /_sim/approvals/config":
        control.approvals.configure(input as ApprovalSimSettings, tenant);
        return json(200, { ok: true });
      case "POST /_sim/events":
        return json(200, control.configureEvents(input as unknown as SimEventConfig));
      case "GET /_sim/events":
        return json(200, control.eventCounters());
      case "GET /_sim/approvals":
        return json(200, control.approvals.snapshot(tenant));
    }
    const record = /^\/_sim\/records\/(\w+)$/.exec(path);
    if (record && method === "POST")
      return json(200, control.upsert(record[1] ?? "", input as Fields, tenant));
    return json(404, { error: "not_found", message: `no control route ${route}` });
  } catch (error) {
    if (error instanceof ControlError)
      return json(error.status, { error: error.code, message: error.message });
    if (error instanceof Error) return json(400, { error: "bad_request", message: error.message });
    throw error;
  }
}
