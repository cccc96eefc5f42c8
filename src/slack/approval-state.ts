import type { ApprovalStore } from "../approvals/store.ts";
import type { Approval } from "../approvals/types.ts";
import { isOpen } from "../approvals/types.ts";
import { plainDecision } from "./views/approval-view.ts";

/** How many approvals one invoice answer lists before "and N more". */
const SHOWN = 4;

/**
 * `LookupService.approvalState` on the approvals store: where the approvals of a record stand.
 * An invoice with several exceptions has one approval each, so the latest alone could say
 * "Approved" while another still waits. Open ones come first; an approval closed by the pipeline
 * (superseded: its exception resolved or was replaced) is left out unless nothing else exists.
 */
export function approvalStateFor(
  store: Pick<ApprovalStore, "forRecord">,
): (recordKey: string) => Promise<string | undefined> {
  return async (recordKey) => {
    const all = await store.forRecord(recordKey, 20);
    if (all.length === 0) return undefined;
    const live = all.filter((a) => a.state !== "superseded");
    const shown = live.length > 0 ? live : all.slice(0, 1);
    if (shown.length === 1) return plainDecision(shown[0] as Approval);
    const ordered = [
      ...shown.filter((a) => isOpen(a.state)),
      ...shown.filter((a) => !isOpen(a.state)),
    ];
    const lines = ordered.slice(0, SHOWN).map((a) => `${plainDecision(a)} (${a.title})`);
    if (ordered.length > SHOWN) lines.push(`and ${ordered.length - SHOWN} more`);
    const open = ordered.filter((a) => isOpen(a.state)).length;
    return `${open} of ${ordered.length} open: ${lines.join("; ")}`;
  };
}
