import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SecurityHarness, startSecurityHarness } from "./helpers/app.ts";

let h: SecurityHarness;
beforeAll(async () => {
  h = await startSecurityHarness("null-body");
});
afterAll(async () => {
  await h?.close();
});

describe("signed bodies that parse to something other than an object", () => {
  it.each([
    ["payload=null", "application/x-www-form-urlencoded"],
    ["payload=42", "application/x-www-form-urlencoded"],
    ["payload=%5B%22a%22%5D", "application/x-www-form-urlencoded"],
    ["null", "application/json"],
    ['"text"', "application/json"],
  ])("%s (%s) gets 400 and the app keeps serving", async (body, contentType) => {
    // Before the guard read the body, Bolt threw on these outside its error handling: an
    // unhandled rejection, which ends a Node process (and the request never got an answer).
    const res = await h.signedPost(body, contentType);
    expect(res.status).toBe(400);
    const help = await h.emu.platform.slashCommand({
      command: "/infor",
      text: "help",
      userId: "U0CLERK001",
      channelId: "C0AP000001",
    });
    expect(help.status).toBe(200);
  });
});
