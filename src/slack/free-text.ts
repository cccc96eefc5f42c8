/**
 * Free text people type into our modals (reject reasons, comments) is bounded and cleaned on the
 * server: a modal's `max_length` binds only Slack's own client, and a signed submission can carry
 * anything. Control characters would reach channels and the audit log as they are, and Unicode
 * bidirectional controls (U+202A–U+202E, U+2066–U+2069, the marks U+200E/U+200F/U+061C) can make
 * a line read differently from what it says ("Trojan Source", CVE-2021-42574).
 */
export const REASON_MAX = 500;
export const COMMENT_MAX = 1000;

// Control characters (C0, DEL, C1) other than the line feed, which stays as a line break.
const CONTROLS = /(?!\n)\p{Cc}/gu;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Zero-width characters that hide text inside words; the zero-width joiner (U+200D) stays for emoji.
const INVISIBLE = /[\u200b\u2060\ufeff]/g;

export type CleanText = { ok: true; text: string } | { ok: false; error: string };

export function cleanFreeText(raw: unknown, max: number): CleanText {
  if (typeof raw !== "string") return { ok: true, text: "" };
  const text = raw
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, " ")
    .replace(CONTROLS, "")
    .replace(BIDI, "")
    .replace(INVISIBLE, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  // Counted in code points, as Slack counts max_length.
  const length = [...text].length;
  if (length > max)
    return { ok: false, error: `Please keep it to ${max} characters (${length} now).` };
  return { ok: true, text };
}
