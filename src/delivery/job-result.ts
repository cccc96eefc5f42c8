/**
 * What one delivery job ended in (BullMQ's return value). Its own file so the processor and the
 * failure handler both use it without importing each other.
 */
export type JobResult =
  | { status: "posted" | "updated" | "resolved"; ts: string }
  | {
      status: "duplicate" | "digested" | "held" | "dead_letter" | "released" | "swept" | "skipped";
      detail?: string;
    };
