/**
 * The approval id a decision modal carries in `private_metadata` (`{"id":"…"}`, written by us
 * when the modal opened). Anything else (not JSON, no id, an empty or non-string id) is no
 * approval: the submit is answered "no longer exists", never thrown.
 */
export function approvalIdOf(raw: string): string | undefined {
  try {
    const m = JSON.parse(raw) as { id?: unknown } | null;
    return typeof m?.id === "string" && m.id !== "" ? m.id : undefined;
  } catch {
    return undefined;
  }
}
