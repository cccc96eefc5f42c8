import { codeOf } from "../shared/error-code.ts";
import type { Approval } from "./types.ts";

/**
 * Optional sink that writes a decision back to the ERP. Off by default: the seed product is
 * read-only on the ERP side. M3 "Add" transactions are not idempotent, so every write is preceded
 * by a query and skipped when the ERP already shows the decision.
 */
export interface WriteBackSink {
  /** What the ERP says about this decision now: already recorded, or not. */
  alreadyRecorded(approval: Approval): Promise<boolean>;
  write(approval: Approval): Promise<void>;
}

export type WriteBackOutcome =
  /** `erpMode`: the tenant's ERP write-back is off or in shadow, so the ERP never saw it. */
  | { status: "disabled"; erpMode?: "off" | "shadow" }
  | { status: "already_recorded" }
  | { status: "written" }
  | { status: "failed"; code: string };

export async function writeBack(
  sink: WriteBackSink | undefined,
  approval: Approval,
): Promise<WriteBackOutcome> {
  if (!sink) return { status: "disabled" };
  try {
    if (await sink.alreadyRecorded(approval)) return { status: "already_recorded" };
    await sink.write(approval);
    return { status: "written" };
  } catch (err) {
    return { status: "failed", code: codeOf(err) ?? "write_back_failed" };
  }
}
