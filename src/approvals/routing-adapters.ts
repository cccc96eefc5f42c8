import type { ApprovalSchedule } from "./schedule.ts";

/** routing.yml `approvals:` (hours) → the schedule the sweep uses. */
export function scheduleFromRouting(r: {
  reminderHours?: number;
  escalateHours?: number;
  expireHours?: number;
}): ApprovalSchedule {
  return {
    ...(r.reminderHours !== undefined ? { remindAfterHours: r.reminderHours } : {}),
    ...(r.escalateHours !== undefined ? { escalateAfterHours: r.escalateHours } : {}),
    ...(r.expireHours !== undefined ? { expireAfterHours: r.expireHours } : {}),
  };
}

/**
 * routing.yml `erpUsers` (ERP user → Slack user) both ways, for segregation of duties: the sync
 * side fills `enteredBySlackId` with `slackUserFor`, `decide` asks `erpUserFor` at click time.
 * ERP user ids compare case-insensitively (M3 stores them upper case).
 */
export function erpUserMapping(erpUsers: Readonly<Record<string, string>>) {
  const toSlack = new Map(
    Object.entries(erpUsers).map(([erp, slack]) => [erp.toUpperCase(), slack]),
  );
  const toErp = new Map(Object.entries(erpUsers).map(([erp, slack]) => [slack, erp.toUpperCase()]));
  return {
    slackUserFor: (erpUser: string | undefined) =>
      erpUser === undefined ? undefined : toSlack.get(erpUser.toUpperCase()),
    erpUserFor: async (slackUserId: string) => toErp.get(slackUserId),
  };
}
