import { createHash } from "node:crypto";
import type { App, BlockAction, ButtonAction, RespondFn, ViewSubmitAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { type DecisionDeps, precheck } from "../../approvals/decide.ts";
import type { TransitionResult } from "../../approvals/store.ts";
import { type Approval, type ApprovalAuditEvent, approvalEvent } from "../../approvals/types.ts";
import { codeOf } from "../../shared/error-code.ts";
import { COMMENT_MAX, cleanFreeText } from "../free-text.ts";
import {
  ANSWER_INFO_CALLBACK,
  APPROVAL_ACTIONS,
  ASK_INFO_CALLBACK,
  answerInfoModal,
  askInfoModal,
  decisionLine,
  INFO_TEXT_ACTION,
  INFO_TEXT_BLOCK,
  INFO_WHOM_ACTION,
  INFO_WHOM_BLOCK,
} from "../views/approval-view.ts";
import { esc } from "../views/format.ts";
import { bindClick, clickSite } from "./approval-binding.ts";
import {
  directThreadPoster,
  type MessageRefresher,
  messageCarriesApproval,
  type ThreadPoster,
  updateApprovalMessage,
} from "./approval-messages.ts";
import { clickContext, refOf, tellPrivately } from "./approval-outcome.ts";
import { approvalIdOf } from "./modal-metadata.ts";

export interface ApprovalInfoDeps extends DecisionDeps {
  logger: Logger;
  refreshHome: (client: WebClient, userId: string) => Promise<void>;
  threadPoster?: ThreadPoster;
  messageRefresher?: MessageRefresher;
}

const MIN_QUESTION = 3;
const SLACK_USER = /^[UW][A-Z0-9]+$/;

/**
 * Request info / send back, the third outcome beside approve and reject. An approver asks someone
 * (who entered the document by default) a question in the alert's thread; the approval waits in
 * `info_requested` (no reminders or escalation meanwhile, approve and reject still possible);
 * the asked person, the asker or another eligible approver answers through Answer…, which hands
 * it back to the approvers as pending. Every step is in the audit log.
 */
export function registerApprovalInfo(app: App, deps: ApprovalInfoDeps): void {
  const log = deps.logger.child({ component: "approvals" });
  const now = () => new Date((deps.clock ?? Date.now)()).toISOString();

  async function boundApproval(body: BlockAction, value: unknown, client: WebClient) {
    const b = await bindClick(deps.store, value, clickSite(body), (ref, id) =>
      messageCarriesApproval(client, ref, id),
    );
    return b;
  }

  /** Who clicked (and how to answer them privately) and the approval the click is bound to. */
  async function clicked(
    body: BlockAction,
    action: ButtonAction,
    client: WebClient,
    respond: RespondFn,
  ) {
    const ctx = clickContext(body, client, (text) =>
      respond({ response_type: "ephemeral", replace_original: false, text }).then(() => {}),
    );
    return { ctx, b: await boundApproval(body, action.value, client) };
  }

  /** A click's trigger_id lives 3 s: when the modal cannot open in time, say to click again. */
  async function openForm(
    client: WebClient,
    triggerId: string,
    view: unknown,
    tooLate: () => Promise<unknown>,
  ) {
    try {
      await client.views.open({ trigger_id: triggerId, view: view as never });
    } catch (err) {
      log.warn({ code: codeOf(err) }, "views.open failed");
      await tooLate();
    }
  }

  async function refuse(approval: Approval, actor: string, code: string) {
    await deps.audit(approvalEvent("approval.refused", approval, actor, now(), code));
  }

  app.action<BlockAction<ButtonAction>>(
    APPROVAL_ACTIONS.askInfo,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const { ctx, b } = await clicked(body, action, client, respond);
      if (!b.ok) return ctx.tell(b.message);
      // Only someone who could decide may send it back (trigger_id lives 3 s: fast checks only).
      const checked = await precheck(deps, b.approval.id, ctx.user, "request_info");
      if (checked.kind !== "ok") return ctx.tell(refusalText(checked));
      const requester = checked.approval.enteredBySlackId;
      await openForm(
        client,
        body.trigger_id,
        askInfoModal({
          approval: checked.approval,
          privateMetadata: JSON.stringify({ id: checked.approval.id }),
          ...(requester && SLACK_USER.test(requester) ? { requester } : {}),
        }),
        () => ctx.tell("I couldn't open the question form in time. Please click Ask… again."),
      );
    },
  );

  app.view<ViewSubmitAction>(ASK_INFO_CALLBACK, async ({ ack, body, view, client }) => {
    const values = view.state.values;
    const asked = values[INFO_WHOM_BLOCK]?.[INFO_WHOM_ACTION]?.selected_user ?? "";
    const cleaned = cleanFreeText(values[INFO_TEXT_BLOCK]?.[INFO_TEXT_ACTION]?.value, COMMENT_MAX);
    if (!SLACK_USER.test(asked)) {
      await ack({ response_action: "errors", errors: { [INFO_WHOM_BLOCK]: "Pick whom to ask." } });
      return;
    }
    if (!cleaned.ok || [...cleaned.text].length < MIN_QUESTION) {
      await ack({
        response_action: "errors",
        errors: { [INFO_TEXT_BLOCK]: cleaned.ok ? "Write the question first." : cleaned.error },
      });
      return;
    }
    const id = approvalIdOf(view.private_metadata);
    const user = body.user.id;
    // Authorized again at submit: the modal may have stayed open while the state moved.
    const checked = id ? await precheck(deps, id, user, "request_info") : undefined;
    if (checked?.kind !== "ok") {
      await ack({
        response_action: "errors",
        errors: { [INFO_TEXT_BLOCK]: checked ? refusalText(checked) : "No such approval." },
      });
      return;
    }
    await ack();
    const approval = checked.approval;
    const question = cleaned.text;
    const entry = {
      type: "approval.info_requested",
      approvalId: approval.id,
      alertId: approval.alertId,
      recordKey: approval.recordKey,
      actor: user,
      asked,
      comment: question,
    } as const;
    const moved = await deps.store.requestInfo(approval.id, user, asked, question, entry);
    const ref = refOf(approval);
    const tell = (text: string) => tellPrivately(client, user, ref?.channel, text, log);
    if (!moved.ok) return tell(movedRefusal(moved));
    await auditUnlessDone(moved, entry);
    const a = moved.approval;
    const line = `${decisionLine({ state: a.state, by: user, ...(a.info ? { at: a.info.at } : {}) })} · <@${asked}> is asked: ${esc(question)}`;
    if (ref) {
      await updateApprovalMessage(client, log, ref, a, line, "keep_buttons", [], {
        refresh: deps.messageRefresher,
        clicker: user,
      });
      // The mention notifies the asked person in the thread where the answer belongs.
      await post(client, {
        approval: a,
        ref,
        text: `:question: <@${asked}>, <@${user}> asks before deciding ${esc(a.title)}: ${esc(question)}`,
        key: `info:ask:${a.info?.at ?? now()}:${user}`,
      });
    } else {
      await tell(line);
    }
    await deps.refreshHome(client, user).catch((err) => log.warn({ err }, "home refresh failed"));
  });

  app.action<BlockAction<ButtonAction>>(
    APPROVAL_ACTIONS.answerInfo,
    async ({ ack, body, action, client, respond }) => {
      await ack();
      const { ctx, b } = await clicked(body, action, client, respond);
      if (!b.ok) return ctx.tell(b.message);
      const who = await mayAnswer(b.approval, ctx.user);
      if (who !== "ok") return ctx.tell(who);
      await openForm(
        client,
        body.trigger_id,
        answerInfoModal({
          approval: b.approval,
          privateMetadata: JSON.stringify({ id: b.approval.id }),
        }),
        () => ctx.tell("I couldn't open the answer form in time. Please click Answer… again."),
      );
    },
  );

  app.view<ViewSubmitAction>(ANSWER_INFO_CALLBACK, async ({ ack, body, view, client }) => {
    const cleaned = cleanFreeText(
      view.state.values[INFO_TEXT_BLOCK]?.[INFO_TEXT_ACTION]?.value,
      COMMENT_MAX,
    );
    if (!cleaned.ok || cleaned.text === "") {
      await ack({
        response_action: "errors",
        errors: { [INFO_TEXT_BLOCK]: cleaned.ok ? "Write the answer first." : cleaned.error },
      });
      return;
    }
    const id = approvalIdOf(view.private_metadata);
    const approval = id ? await deps.store.get(id) : undefined;
    const user = body.user.id;
    const who = approval ? await mayAnswer(approval, user) : "This approval no longer exists.";
    if (!approval || who !== "ok") {
      await ack({ response_action: "errors", errors: { [INFO_TEXT_BLOCK]: who } });
      return;
    }
    await ack();
    const answer = cleaned.text;
    const asker = approval.info?.by;
    const entry = {
      type: "approval.info_answered",
      approvalId: approval.id,
      alertId: approval.alertId,
      recordKey: approval.recordKey,
      actor: user,
      comment: answer,
    } as const;
    const moved = await deps.store.transition(approval.id, "answer_info", user, "", entry);
    const ref = refOf(approval);
    const tell = (text: string) => tellPrivately(client, user, ref?.channel, text, log);
    if (!moved.ok) return tell(movedRefusal(moved));
    await auditUnlessDone(moved, entry);
    const a = moved.approval;
    if (ref) {
      const line = `${decisionLine({ state: "pending" })} · <@${user}> answered: ${esc(answer)}`;
      await updateApprovalMessage(client, log, ref, a, line, "keep_buttons", [], {
        refresh: deps.messageRefresher,
        clicker: user,
      });
      const digest = createHash("sha256").update(answer).digest("hex").slice(0, 16);
      await post(client, {
        approval: a,
        ref,
        text: `:speech_balloon: ${asker ? `<@${asker}>, ` : ""}<@${user}> answered on ${esc(a.title)}: ${esc(answer)} · back to the approvers`,
        key: `info:answer:${user}:${digest}:${now()}`,
      });
    } else {
      await tell("Answered; it is back with the approvers.");
    }
    await deps.refreshHome(client, user).catch((err) => log.warn({ err }, "home refresh failed"));
  });

  /** The asked person, the asker, or anyone who could decide it may answer; refusals audited. */
  async function mayAnswer(approval: Approval, user: string): Promise<"ok" | string> {
    if (approval.state !== "info_requested") {
      await refuse(approval, user, "no_open_question");
      return "No question is open on this approval, so there is nothing to answer.";
    }
    if (user === approval.info?.asked || user === approval.info?.by) return "ok";
    const decision = await deps.policy.authorize(user, approval);
    if (decision.allowed) return "ok";
    await refuse(approval, user, "not_asked");
    return `Only <@${approval.info?.asked ?? ""}> or an approver of this document may answer.`;
  }

  async function auditUnlessDone(moved: TransitionResult, entry: Omit<ApprovalAuditEvent, "at">) {
    if (moved.ok && !moved.audited) {
      await deps.audit({ ...entry, at: now(), state: moved.approval.state });
    }
  }

  function post(client: WebClient, input: Parameters<ThreadPoster>[0]) {
    const poster = deps.threadPoster ?? directThreadPoster(client, log);
    return poster(input).catch((err) => log.warn({ code: codeOf(err) }, "info notice not queued"));
  }
}

function refusalText(outcome: { kind: string; message?: string; state?: string }): string {
  if (outcome.kind === "refused" && outcome.message) return `:lock: ${outcome.message}`;
  if (outcome.kind === "already" && outcome.state === "info_requested") {
    return "A question is already open on this document; answer it first.";
  }
  if (outcome.kind === "not_found") return "This approval no longer exists.";
  return `This document is no longer pending (${outcome.state ?? "unknown"}). Nothing was asked.`;
}

function movedRefusal(moved: Exclude<TransitionResult, { ok: true }>): string {
  if (moved.code === "not_found") return "This approval no longer exists.";
  return `Nothing changed: it is ${moved.state.replace("_", " ")} now${moved.by && moved.by !== "system" ? ` (<@${moved.by}>)` : ""}.`;
}
