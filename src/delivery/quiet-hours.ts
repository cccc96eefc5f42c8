import type { QuietHours } from "./config.ts";

/**
 * Quiet hours are wall-clock times in the channel's time zone (people's nights), so daylight
 * saving shifts them in UTC. Pure: the caller passes `now`.
 */
export interface QuietState {
  quiet: boolean;
  /** When the current quiet window ends (epoch ms), if quiet. */
  endsAt?: number;
}

interface LocalParts {
  y: number;
  m: number;
  d: number;
  minutes: number;
  weekday: number;
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): LocalParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    y: Number(parts.year),
    m: Number(parts.month),
    d: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: WEEKDAY[parts.weekday ?? "Mon"] ?? 1,
  };
}

function hhmm(text: string): number {
  const [h = "0", m = "0"] = text.split(":");
  return Number(h) * 60 + Number(m);
}

/** Epoch ms of local wall-clock time (y-m-d, minutes) in `timeZone` (first match across DST). */
export function zonedTime(
  y: number,
  m: number,
  d: number,
  minutes: number,
  timeZone: string,
): number {
  const guess = Date.UTC(y, m - 1, d, Math.floor(minutes / 60), minutes % 60);
  // Two passes correct for the zone offset, including a DST change between guess and answer.
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const p = localParts(t, timeZone);
    const asUtc = Date.UTC(p.y, p.m - 1, p.d, Math.floor(p.minutes / 60), p.minutes % 60);
    t += guess - asUtc;
  }
  return t;
}

function addDays(y: number, m: number, d: number, days: number): [number, number, number] {
  const dt = new Date(Date.UTC(y, m - 1, d + days));
  return [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
}

export function quietState(now: number, q: QuietHours): QuietState {
  const start = hhmm(q.start);
  const end = hhmm(q.end);
  if (start === end) return { quiet: false };
  const local = localParts(now, q.timeZone);
  const crosses = start > end;
  const dayOk = (weekday: number) => !q.days || q.days.includes(weekday);
  let quiet = false;
  let endDayOffset = 0;
  if (!crosses) {
    quiet = local.minutes >= start && local.minutes < end && dayOk(local.weekday);
  } else if (local.minutes >= start) {
    quiet = dayOk(local.weekday);
    endDayOffset = 1;
  } else if (local.minutes < end) {
    const yesterday = ((local.weekday + 5) % 7) + 1;
    quiet = dayOk(yesterday);
  }
  if (!quiet) return { quiet: false };
  const [y, m, d] = addDays(local.y, local.m, local.d, endDayOffset);
  return { quiet: true, endsAt: zonedTime(y, m, d, end, q.timeZone) };
}
