import type { BlockAction } from "@slack/bolt";
import type { ApprovalStore } from "../../approvals/store.ts";
import type { Approval } from "../../approvals/types.ts";

/** Where a click happened, as the payload says: only compared with our store, never rendered. */
export interface ClickSite {
  channel?: string;
  ts?: string;
  /** Clicked in the App Home tab we publish (no message). */
  home: boolean;
}

export function clickSite(body: BlockAction): ClickSite {
  const message = body.message as { ts?: unknown } | undefined;
  const view = (body as { view?: { type?: unknown } }).view;
  return {
    ...(body.channel?.id ? { channel: body.channel.id } : {}),
    ...(typeof message?.ts === "string" ? { ts: message.ts } : {}),
    home: body.container?.type === "view" && view?.type === "home",
  };
}

export type Binding =
  | { ok: true; approval: Approval }
  | { ok: false; code: "not_found" | "not_this_message"; message: string };

const APPROVAL_ID = /^apv_[0-9a-f]{24}$/;

/**
 * The approval a button names, only when the click came from that approval's own message (the
 * channel and ts delivery attached to it, or, before that, a message whose copy in Slack carries
 * the button), from one of its approvers' cards in a direct message, or from the App Home tab. A button value copied onto
 * another message, or a click naming a message the approval was never posted on, decides
 * nothing: before this, a decision could be stamped onto another, still pending alert.
 */
export async function bindClick(
  store: ApprovalStore,
  approvalId: unknown,
  site: ClickSite,
  /** Slack's copy of the message carries this approval (see messageCarriesApproval). */
  carries?: (ref: { channel: string; ts: string }, approvalId: string) => Promise<boolean>,
): Promise<Binding> {
  const notFound = {
    ok: false,
    code: "not_found",
    message: "This approval no longer exists, so the button is stale. Nothing was recorded.",
  } as const;
  if (typeof approvalId !== "string" || !APPROVAL_ID.test(approvalId)) return notFound;
  const approval = await store.get(approvalId);
  if (!approval) return notFound;
  if (site.channel !== undefined && site.ts !== undefined) {
    if (approval.channel === site.channel && approval.ts === site.ts) return { ok: true, approval };
    // Delivery attaches the approval right after posting; a click can come first. Slack's own
    // copy of the message (not the payload's) must then carry the button.
    const ref = { channel: site.channel, ts: site.ts };
    if (approval.channel === undefined && carries && (await carries(ref, approval.id))) {
      await store.attachMessage(approval.id, ref.channel, ref.ts);
      return { ok: true, approval: { ...approval, ...ref } };
    }
    // An approver's own card in a direct message: registered on the approval before it was
    // queued, so only that conversation counts, and there only the card itself.
    const card = approval.directCards?.find((c) => c.channel === site.channel);
    if (card?.ts === site.ts) return { ok: true, approval };
    if (card && card.ts === undefined && carries && (await carries(ref, approval.id))) {
      await store.attachMessage(approval.id, ref.channel, ref.ts);
      return { ok: true, approval };
    }
  } else if (site.home && site.channel === undefined) {
    return { ok: true, approval };
  }
  return {
    ok: false,
    code: "not_this_message",
    message: "This button does not belong to the approval's own message. Nothing was recorded.",
  };
}
