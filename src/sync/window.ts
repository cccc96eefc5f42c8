import { addDays } from "./dates.ts";

export interface WindowInput {
  mode: "poll" | "backfill";
  /** Stored watermark, absent on a first run. */
  watermark: string | undefined;
  /** UTC date of the poll's start. */
  today: string;
  overlapDays: number;
  startFrom: string;
  prime: boolean;
  /** Backfill start. */
  since?: string;
}

export interface PollWindow {
  /** Read records changed on or after this date; undefined = read nothing. */
  since: string | undefined;
  /** False while priming a first run: learn hashes, emit nothing. */
  emit: boolean;
  /** Watermark to keep when the read sees no later change date. */
  base: string;
}

/**
 * What a poll reads, pure. M3 change dates are date-only, so a poll re-reads from the watermark
 * minus `overlapDays` (the watermark day itself, plus slack for clock skew between the ERP and
 * us) and drops what it already saw by content hash.
 */
export function planWindow(i: WindowInput): PollWindow {
  if (i.mode === "backfill") {
    return { since: i.since, emit: true, base: i.watermark ?? i.today };
  }
  if (i.watermark) {
    return { since: addDays(i.watermark, -i.overlapDays), emit: true, base: i.watermark };
  }
  if (i.startFrom !== "now") return { since: i.startFrom, emit: true, base: i.startFrom };
  // Installing must not flood channels with history: start from today, quietly.
  return {
    since: i.prime ? addDays(i.today, -i.overlapDays) : undefined,
    emit: false,
    base: i.today,
  };
}

/**
 * An ERP ahead of us by up to a day is normal (time zones); a change date further ahead is bad
 * data, and letting it move the watermark would skip every real change until that date.
 */
export const FUTURE_TOLERANCE_DAYS = 1;

/** The watermark after a complete read: the latest change date seen, capped, never back. */
export function nextWatermark(base: string, maxSeen: string | undefined, today: string): string {
  const cap = addDays(today, FUTURE_TOLERANCE_DAYS);
  const seen = maxSeen !== undefined && maxSeen > cap ? cap : maxSeen;
  return seen !== undefined && seen > base ? seen : base;
}
