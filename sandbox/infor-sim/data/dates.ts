/** M3 dates are YYYYMMDD strings (dateformat YMD8); the sim works in UTC days. */
const DAY_MS = 86_400_000;

export function ymd(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replaceAll("-", "");
}

export function parseYmd(text: string): number {
  const y = Number(text.slice(0, 4));
  const m = Number(text.slice(4, 6));
  const d = Number(text.slice(6, 8));
  return Date.UTC(y, m - 1, d);
}

export function addDays(date: string, days: number): string {
  return ymd(parseYmd(date) + days * DAY_MS);
}

/** "2026-11-30" or "20261130" → "20261130". */
export function toYmd(text: string): string {
  return text.replaceAll("-", "").slice(0, 8);
}

/** The earlier of two YYYYMMDD dates (string order is date order). */
export function earlierOf(a: string, b: string): string {
  return a < b ? a : b;
}

/** The later of two YYYYMMDD dates. */
export function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}
