import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import type { DelegationStore } from "../../approvals/delegation.ts";
import type { AuditFn } from "../../approvals/types.ts";
import { codeOf } from "../../shared/error-code.ts";
import { button, context, formatTime, modal, section } from "../views/format.ts";
import type { SlackBlock } from "../views/types.ts";

export const DELEGATE_ACTION = "home.delegate";
export const DELEGATE_CLEAR_ACTION = "home.delegate_clear";
export const DELEGATE_CALLBACK = "home.delegate_modal";
export const DELEGATE_WHO = { block: "delegate", action: "delegate_input" } as const;
export const DELEGATE_FROM = { block: "from", action: "from_input" } as const;
export const DELEGATE_UNTIL = { block: "until", action: "until_input" } as const;

const SLACK_USER = /^[UW][A-Z0-9]+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** App Home's out-of-office section: the current delegation and the button to set or end it. */
export function delegationBlocks(d: { delegate: string; from: string; until: string } | undefined) {
  const blocks: SlackBlock[] = [
    section(
      d
        ? `*Out of office:* <@${d.delegate}> decides for you from ${formatTime(d.from)} until ${formatTime(d.until)}, within your bands.`
        : "*Out of office:* nobody decides for you.",
    ),
  ];
  const elements = [button(d ? "Change delegate…" : "Name a delegate…", DELEGATE_ACTION, "set")];
  if (d) elements.push(button("End delegation", DELEGATE_CLEAR_ACTION, "clear"));
  blocks.push({ type: "actions", block_id: "home.delegation", elements });
  return blocks;
}

function delegateModal(): Record<string, unknown> {
  const input = (block: string, label: string, element: Record<string, unknown>) => ({
    type: "input",
    block_id: block,
    label: { type: "plain_text", text: label },
    element,
  });
  return modal({
    callbackId: DELEGATE_CALLBACK,
    title: "Out of office",
    submit: "Save",
    close: "Cancel",
    blocks: [
      context(
        "Your delegate may decide what you may decide (never what they entered themselves); every decision says on whose behalf.",
      ),
      input(DELEGATE_WHO.block, "Delegate", {
        type: "users_select",
        action_id: DELEGATE_WHO.action,
      }),
      input(DELEGATE_FROM.block, "From (UTC, first day)", {
        type: "datepicker",
        action_id: DELEGATE_FROM.action,
      }),
      input(DELEGATE_UNTIL.block, "Until (UTC, last day)", {
        type: "datepicker",
        action_id: DELEGATE_UNTIL.action,
      }),
    ],
  });
}

/** Name / change / end a delegate from App Home; each change is audited. */
export function registerDelegation(
  app: App,
  deps: {
    delegations: DelegationStore;
    audit: AuditFn;
    logger: Logger;
    clock: () => number;
    refreshHome: (client: WebClient, userId: string) => Promise<void>;
  },
): void {
  const audit = (actor: string, reason: string) =>
    deps.audit({
      type: "approval.delegated",
      // Not about one approval: the entry is the approver's own.
      approvalId: "",
      actor,
      at: new Date(deps.clock()).toISOString(),
      reason,
    });

  app.action<BlockAction<ButtonAction>>(DELEGATE_ACTION, async ({ ack, body, client }) => {
    await ack();
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: delegateModal() as never });
    } catch (err) {
      deps.logger.warn({ code: codeOf(err) }, "views.open failed");
    }
  });

  app.action<BlockAction<ButtonAction>>(DELEGATE_CLEAR_ACTION, async ({ ack, body, client }) => {
    await ack();
    await deps.delegations.clear(body.user.id);
    await audit(body.user.id, "delegation ended");
    await deps.refreshHome(client, body.user.id).catch(() => {});
  });

  app.view<ViewSubmitAction>(DELEGATE_CALLBACK, async ({ ack, body, view, client }) => {
    const v = view.state.values;
    const user = body.user.id;
    const delegate = v[DELEGATE_WHO.block]?.[DELEGATE_WHO.action]?.selected_user ?? "";
    const from = v[DELEGATE_FROM.block]?.[DELEGATE_FROM.action]?.selected_date ?? "";
    const until = v[DELEGATE_UNTIL.block]?.[DELEGATE_UNTIL.action]?.selected_date ?? "";
    const errors: Record<string, string> = {};
    if (!SLACK_USER.test(delegate)) errors[DELEGATE_WHO.block] = "Pick a delegate.";
    else if (delegate === user) errors[DELEGATE_WHO.block] = "Pick someone other than yourself.";
    if (!DAY.test(from)) errors[DELEGATE_FROM.block] = "Pick the first day.";
    if (!DAY.test(until)) errors[DELEGATE_UNTIL.block] = "Pick the last day.";
    else if (DAY.test(from) && until < from) {
      errors[DELEGATE_UNTIL.block] = "The last day comes on or after the first.";
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: "errors", errors });
      return;
    }
    await ack();
    // Whole UTC days: from the first day's start to the end of the last.
    const fromIso = `${from}T00:00:00.000Z`;
    const untilIso = new Date(Date.parse(`${until}T00:00:00.000Z`) + 86_400_000).toISOString();
    await deps.delegations.set({ approver: user, delegate, from: fromIso, until: untilIso });
    await audit(user, `delegate ${delegate} from ${fromIso} until ${untilIso}`);
    await deps.refreshHome(client, user).catch(() => {});
  });
}
