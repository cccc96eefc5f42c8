import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { DelegationStore } from "../../approvals/delegation.ts";
import type { ApprovalPolicy } from "../../approvals/policy.ts";
import type { ApprovalStore } from "../../approvals/store.ts";
import type { Approval } from "../../approvals/types.ts";
import { slackErrorCode } from "../commands/register.ts";
import type { HealthProvider } from "../lookup-service.ts";
import { divider } from "../views/format.ts";
import { homeView } from "../views/home-view.ts";
import { bulkBlocks } from "./bulk-approve.ts";
import { delegationBlocks } from "./delegation-ui.ts";

export interface HomeDeps {
  store?: ApprovalStore;
  policy?: ApprovalPolicy;
  health?: HealthProvider;
  delegations?: DelegationStore;
  /** Offer bulk approve (the handler is registered with the approvals). */
  bulk?: boolean;
  logger: Logger;
  clock: () => number;
}

/** Open approvals this user may decide (policy allows, and they did not enter the document). */
export async function pendingFor(deps: HomeDeps, userId: string): Promise<Approval[]> {
  if (!deps.store || !deps.policy) return [];
  const open = await deps.store.listOpen();
  const mine: Approval[] = [];
  for (const a of open) {
    if (a.enteredBySlackId === userId) continue;
    if ((await deps.policy.authorize(userId, a)).allowed) mine.push(a);
  }
  return mine;
}

export function createHomePublisher(deps: HomeDeps) {
  return async function publishHome(client: WebClient, userId: string): Promise<void> {
    const [pending, recent, health, delegation] = await Promise.all([
      pendingFor(deps, userId),
      deps.store ? deps.store.recentDecisions(userId) : Promise.resolve([]),
      deps.health
        ? deps.health().catch(() => [{ name: "health check", ok: false, detail: "unavailable" }])
        : Promise.resolve([]),
      deps.delegations?.of(userId),
    ]);
    const view = homeView({ userId, pending, recent, health, now: deps.clock() });
    // Under the heading "Waiting for your decision": select several, approve in one click.
    if (deps.bulk) view.blocks.splice(1, 0, ...bulkBlocks(pending));
    // Approvers only: someone who can decide nothing has nobody to delegate to.
    if (deps.delegations && (pending.length > 0 || delegation || recent.length > 0)) {
      view.blocks.push(divider, ...delegationBlocks(delegation));
    }
    await client.views.publish({ user_id: userId, view: view as never });
  };
}

/** `app_home_opened` → views.publish for that user (events are acked before this runs). */
export function registerHome(
  app: App,
  deps: HomeDeps,
  publish: ReturnType<typeof createHomePublisher>,
): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== undefined && event.tab !== "home") return;
    try {
      await publish(client, event.user);
    } catch (err) {
      deps.logger.warn({ code: slackErrorCode(err) }, "views.publish failed");
    }
  });
}
