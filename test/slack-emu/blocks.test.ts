import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateBlocks, validateView } from "../../sandbox/slack-emu/blocks.ts";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { clientFor, errorOf } from "./helpers.ts";

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
const button = (text: string, extra: Record<string, unknown> = {}) => ({
  type: "button",
  text: { type: "plain_text", text },
  action_id: "approve",
  ...extra,
});

describe("validateBlocks", () => {
  it("accepts blocks at every limit", () => {
    const blocks = [
      { type: "header", text: { type: "plain_text", text: "h".repeat(150) } },
      section("s".repeat(3000)),
      {
        type: "section",
        fields: Array.from({ length: 10 }, () => ({ type: "mrkdwn", text: "f".repeat(2000) })),
      },
      {
        type: "actions",
        block_id: "b".repeat(255),
        elements: [button("t".repeat(75), { value: "v".repeat(2000) })],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: "ctx" }] },
      { type: "divider" },
      ...Array.from({ length: 44 }, () => ({ type: "divider" })),
    ];
    expect(blocks).toHaveLength(50);
    expect(validateBlocks(blocks, "message")).toEqual([]);
  });

  it("names each limit one past it, with a json-pointer", () => {
    expect(
      validateBlocks(
        Array.from({ length: 51 }, () => ({ type: "divider" })),
        "message",
      ),
    ).toEqual(["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"]);
    expect(
      validateBlocks(
        Array.from({ length: 100 }, () => ({ type: "divider" })),
        "modal",
      ),
    ).toEqual([]);
    expect(validateBlocks([section("s".repeat(3001))], "message")).toEqual([
      "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ]);
    const fields = Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" }));
    expect(validateBlocks([{ type: "section", fields }], "message")[0]).toContain(
      "/blocks/0/fields",
    );
    const longField = [{ type: "section", fields: [{ type: "mrkdwn", text: "f".repeat(2001) }] }];
    expect(validateBlocks(longField, "message")[0]).toContain("/blocks/0/fields/0/text");
    expect(
      validateBlocks(
        [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
        "message",
      )[0],
    ).toContain("/blocks/0/text/text");
    expect(
      validateBlocks([{ type: "header", text: { type: "mrkdwn", text: "h" } }], "message")[0],
    ).toContain("must be plain_text");
    const actions = (el: unknown) => [{ type: "actions", elements: [el] }];
    expect(validateBlocks(actions(button("t".repeat(76))), "message")[0]).toContain(
      "/blocks/0/elements/0/text/text",
    );
    expect(
      validateBlocks(actions(button("t", { value: "v".repeat(2001) })), "message")[0],
    ).toContain("/blocks/0/elements/0/value");
    expect(
      validateBlocks(actions(button("t", { action_id: "a".repeat(256) })), "message")[0],
    ).toContain("/blocks/0/elements/0/action_id");
    expect(
      validateBlocks([{ type: "divider", block_id: "b".repeat(256) }], "message")[0],
    ).toContain("/blocks/0/block_id");
    expect(validateBlocks([{ type: "carousel" }], "message")[0]).toContain(
      "unsupported block type: carousel",
    );
  });

  it("checks modal titles", () => {
    expect(
      validateView({
        type: "modal",
        title: { type: "plain_text", text: "t".repeat(25) },
        blocks: [],
      })[0],
    ).toContain("/view/title/text");
  });
});

describe("Block Kit limits through the Web API", () => {
  let emu: SlackEmu;
  beforeAll(async () => {
    emu = await startSlackEmu({ timeScale: 1000 });
  });
  afterAll(() => emu.close());

  it("answers invalid_blocks with Slack's response_metadata.messages and stores nothing", async () => {
    const slack = clientFor(emu);
    const err = await errorOf(() =>
      slack.chat.postMessage({
        channel: "C0GENERAL1",
        text: "t",
        blocks: [section("s".repeat(3001))],
      }),
    );
    expect(err.data?.error).toBe("invalid_blocks");
    expect(err.data?.response_metadata?.messages).toEqual([
      "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ]);
    const unknown = await errorOf(() =>
      slack.chat.postMessage({
        channel: "C0GENERAL1",
        text: "t",
        blocks: [{ type: "nope" } as never],
      }),
    );
    expect(unknown.data?.error).toBe("invalid_blocks");
    expect(emu.inspect.messages("C0GENERAL1")).toHaveLength(0);
  });

  it("checks chat.update blocks too", async () => {
    const slack = clientFor(emu);
    const r = await slack.chat.postMessage({ channel: "C0GENERAL1", text: "ok" });
    const blocks = Array.from({ length: 51 }, () => ({ type: "divider" }));
    const err = await errorOf(() =>
      slack.chat.update({ channel: "C0GENERAL1", ts: String(r.ts), text: "x", blocks }),
    );
    expect(err.data?.error).toBe("invalid_blocks");
    expect(emu.inspect.message("C0GENERAL1", String(r.ts))?.text).toBe("ok");
  });
});
