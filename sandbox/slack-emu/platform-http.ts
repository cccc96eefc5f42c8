import { type EmuPlatform, PlatformError, type PlatformResult } from "./platform.ts";

/** HTTP face for the web view: POST /_emu/platform/<action> with a JSON body. */
export async function platformHttpAction(
  p: EmuPlatform,
  action: string,
  body: Record<string, unknown>,
): Promise<unknown> {
  const strip = (r: PlatformResult) => ({
    status: r.status,
    body: r.body,
    json: r.json,
    timedOut: r.timedOut,
    error: r.error,
  });
  const b = body as never;
  switch (action) {
    case "command":
      return strip(await p.slashCommand(b));
    case "action":
      return strip(await p.blockAction(b));
    case "submit":
      return strip(await p.viewSubmission(b));
    case "event":
      return strip(await p.event((body.event ?? {}) as Record<string, unknown>));
    case "home":
      return strip(await p.appHomeOpened(String(body.userId)));
    default:
      throw new PlatformError("unknown_action", `unknown platform action ${action}`);
  }
}
