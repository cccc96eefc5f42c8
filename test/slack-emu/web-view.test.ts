import { mkdirSync } from "node:fs";
import type { App } from "@slack/bolt";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type SlackEmu, startSlackEmu } from "../../sandbox/slack-emu/server.ts";
import { CHROMIUM, describeWithBrowser } from "../support/browser.ts";
import { clientFor, startBoltApp } from "./helpers.ts";

// The emulator's web view in a real browser (Debian's Chromium), driven against a small Bolt
// app: a slash command answered ephemerally, a button that edits its message, a modal.
const ARTIFACTS = "test/artifacts/slack-emu";

let emu: SlackEmu;
let app: App;
let browser: Browser;
let page: Page;

const invoiceBlocks = [
  { type: "header", text: { type: "plain_text", text: "Invoice 4711" } },
  {
    type: "section",
    fields: [
      { type: "mrkdwn", text: "*Supplier*\nACME AB" },
      { type: "mrkdwn", text: "*Amount*\n1,234.50 EUR" },
    ],
  },
  {
    type: "actions",
    block_id: "inv-4711",
    elements: [
      {
        type: "button",
        action_id: "approve",
        style: "primary",
        text: { type: "plain_text", text: "Approve" },
        value: "4711",
      },
      {
        type: "button",
        action_id: "reject",
        style: "danger",
        text: { type: "plain_text", text: "Reject" },
        value: "4711",
      },
    ],
  },
];

describeWithBrowser("web view in a browser", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    emu = await startSlackEmu();
    app = await startBoltApp(emu, (bolt) => {
      bolt.command("/infor", async ({ ack, respond, command }) => {
        await ack();
        await respond({ text: `PO ${command.text.replace("po ", "")}: 3 lines, open` });
      });
      // Answered in the ack body, as our app answers help and refusals.
      bolt.command("/ackbody", async ({ ack, command }) => {
        await ack({ text: `Help for ${command.text || "everything"}` });
      });
      bolt.action("pay", async ({ ack, body, client }) => {
        await ack();
        const b = body as unknown as { channel: { id: string }; message: { ts: string } };
        await client.chat.update({
          channel: b.channel.id,
          ts: b.message.ts,
          text: "Paid 99.00 EUR",
          blocks: [{ type: "section", text: { type: "mrkdwn", text: "Paid 99.00 EUR" } }],
        });
      });
      bolt.action("approve", async ({ ack, body, client }) => {
        await ack();
        const b = body as unknown as {
          user: { id: string };
          channel: { id: string };
          message: { ts: string };
        };
        await client.chat.update({
          channel: b.channel.id,
          ts: b.message.ts,
          text: "Invoice 4711 approved",
          blocks: [
            invoiceBlocks[0] as never,
            {
              type: "context",
              elements: [{ type: "mrkdwn", text: `Approved by <@${b.user.id}>` }],
            },
          ],
        });
      });
      bolt.action("reject", async ({ ack, body, client }) => {
        await ack();
        await client.views.open({
          trigger_id: (body as unknown as { trigger_id: string }).trigger_id,
          view: {
            type: "modal",
            callback_id: "reject_reason",
            title: { type: "plain_text", text: "Reject invoice" },
            submit: { type: "plain_text", text: "Reject" },
            blocks: [
              {
                type: "input",
                block_id: "reason",
                label: { type: "plain_text", text: "Reason" },
                element: { type: "plain_text_input", action_id: "text" },
              },
            ],
          },
        });
      });
      bolt.action("tick", async ({ ack }) => {
        await ack();
      });
      // The Home tab's ticked boxes arrive in view.state.values; the modal's person picker too.
      bolt.action("go", async ({ ack, body, client }) => {
        await ack();
        const v = body as unknown as {
          trigger_id: string;
          view: {
            state: {
              values: Record<string, Record<string, { selected_options?: { value: string }[] }>>;
            };
          };
        };
        const picked = (v.view.state.values.pick?.tick?.selected_options ?? []).map((o) => o.value);
        await client.chat.postMessage({
          channel: "C0CC100001",
          text: `picked ${picked.join(",")}`,
        });
        await client.views.open({
          trigger_id: v.trigger_id,
          view: {
            type: "modal",
            callback_id: "ask_whom",
            title: { type: "plain_text", text: "Ask" },
            submit: { type: "plain_text", text: "Ask" },
            blocks: [
              {
                type: "input",
                block_id: "whom",
                label: { type: "plain_text", text: "Whom" },
                element: {
                  type: "users_select",
                  action_id: "who",
                  initial_user: "U0CLERK001",
                },
              },
            ],
          },
        });
      });
      bolt.view("ask_whom", async ({ ack, view, client }) => {
        await ack();
        const who = view.state.values.whom?.who?.selected_user;
        await client.chat.postMessage({ channel: "C0CC100001", text: `asked ${who}` });
      });
      bolt.view("reject_reason", async ({ ack, view }) => {
        const reason = view.state.values.reason?.text?.value;
        if (!reason) {
          await ack({ response_action: "errors", errors: { reason: "Please give a reason" } });
          return;
        }
        await ack();
      });
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await emu?.close();
  });

  it("shows an alert, runs a slash command, edits on approve and validates a modal", async () => {
    await page.goto(emu.origin);
    await page.selectOption("[data-testid=user-select]", "U0APPR0001");
    await page.click("[data-channel=C0AP000001]");
    await clientFor(emu).chat.postMessage({
      channel: "C0AP000001",
      text: "Invoice 4711",
      blocks: invoiceBlocks,
    });
    await page.getByText("Invoice 4711").waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/1-alert.png` });

    await page.fill("[data-testid=composer]", "/infor po 123");
    await page.press("[data-testid=composer]", "Enter");
    await page.getByText("PO 123: 3 lines, open").waitFor();
    await expect(page.locator(".message.ephemeral").count()).resolves.toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/2-slash-command.png` });

    await page.click("button[data-action-id=reject]");
    await page.locator(".modal").waitFor();
    await page.click(".modal button[type=submit]");
    await page.getByText("Please give a reason").waitFor();
    await page.fill(".modal input[name='reason.text']", "wrong price");
    await page.click(".modal button[type=submit]");
    await page.locator(".modal").waitFor({ state: "detached" });

    await page.click("button[data-action-id=approve]");
    await page.getByText("Approved by @Anna Approver").waitFor();
    await expect(page.locator("button[data-action-id=approve]").count()).resolves.toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}/3-approved.png` });
    const msg = emu.inspect.messages("C0AP000001")[0];
    expect(msg?.edits).toHaveLength(1);
  });

  it("sends the Home tab's ticked checkboxes with a click, and a modal's person picker", async () => {
    await clientFor(emu).views.publish({
      user_id: "U0APPR0001",
      view: {
        type: "home",
        blocks: [
          {
            type: "actions",
            block_id: "pick",
            elements: [
              {
                type: "checkboxes",
                action_id: "tick",
                options: ["a", "b", "c"].map((x) => ({
                  text: { type: "plain_text", text: `Item ${x}` },
                  value: x,
                })),
              },
              { type: "button", action_id: "go", text: { type: "plain_text", text: "Go" } },
            ],
          },
        ],
      },
    });
    await page.goto(emu.origin);
    await page.selectOption("[data-testid=user-select]", "U0APPR0001");
    await page.click("#home-link");
    await page.getByText("Item b").waitFor();
    await page.getByText("Item a").click();
    await page.getByText("Item c").click();
    await page.click("button[data-action-id=go]");
    await page.locator(".modal").waitFor();
    await expect(page.locator(".modal select[name='whom.who']").inputValue()).resolves.toBe(
      "U0CLERK001",
    );
    await page.selectOption(".modal select[name='whom.who']", "U0APPR0002");
    await page.click(".modal button[type=submit]");
    await page.locator(".modal").waitFor({ state: "detached" });
    // Another channel than the other tests' (Slack's per-channel rate limit).
    const texts = () => emu.inspect.messages("C0CC100001").map((m) => m.text);
    await expect.poll(texts).toContain("picked a,c");
    await expect.poll(texts).toContain("asked U0APPR0002");
  });

  it("shows a slash command's ack-body answer as an ephemeral message", async () => {
    await page.goto(emu.origin);
    await page.click("[data-channel=C0AP000001]");
    await page.fill("[data-testid=composer]", "/ackbody help");
    await page.press("[data-testid=composer]", "Enter");
    const answer = page.locator(".message.ephemeral", { hasText: "Help for help" });
    await answer.waitFor();
    await expect(answer.textContent()).resolves.toContain("Only visible to you");
  });

  it("asks a button's confirm dialog first: Cancel sends nothing, confirm sends the click", async () => {
    await page.goto(emu.origin);
    await page.click("[data-channel=C0AP000001]");
    await clientFor(emu).chat.postMessage({
      channel: "C0AP000001",
      text: "Payment run 99.00 EUR",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "Payment run 99.00 EUR" } },
        {
          type: "actions",
          elements: [
            {
              type: "button",
              action_id: "pay",
              text: { type: "plain_text", text: "Pay" },
              value: "run-1",
              confirm: {
                title: { type: "plain_text", text: "Pay now?" },
                text: { type: "plain_text", text: "Pay 99.00 EUR to ACME AB?" },
                confirm: { type: "plain_text", text: "Pay" },
                deny: { type: "plain_text", text: "Not yet" },
              },
            },
          ],
        },
      ],
    });
    const sent = () =>
      emu.inspect.platformRequests().filter((e) => e.kind === "block_actions").length;
    const before = sent();
    await page.click("button[data-action-id=pay]");
    const dialog = page.locator("[data-testid=confirm]");
    await dialog.getByText("Pay 99.00 EUR to ACME AB?").waitFor();
    await dialog.locator("[data-testid=confirm-deny]", { hasText: "Not yet" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(sent()).toBe(before);
    await page.click("button[data-action-id=pay]");
    await dialog.locator("[data-testid=confirm-ok]", { hasText: "Pay" }).click();
    await page.getByText("Paid 99.00 EUR").waitFor();
    expect(sent()).toBe(before + 1);
  });

  it("shows the app's direct message to its own person only, and a click there reaches the app", async () => {
    await page.goto(emu.origin);
    await page.selectOption("[data-testid=user-select]", "U0APPR0002");
    // Posted to the user id, as Slack allows: it lands in the app's DM with that person.
    const posted = await clientFor(emu).chat.postMessage({
      channel: "U0APPR0002",
      text: "Your decision: invoice 4711",
      blocks: invoiceBlocks,
    });
    expect(posted.channel).toBe("D0APPR0002");
    const dm = page.locator("[data-channel=D0APPR0002]");
    await dm.waitFor();
    await expect(dm.textContent()).resolves.toContain("direct message");
    await dm.click();
    await page.getByText("Invoice 4711").waitFor();
    await page.click("button[data-action-id=approve]");
    await page.getByText("Approved by @Bo Approver").waitFor();
    expect(emu.inspect.messages("D0APPR0002")[0]?.edits).toHaveLength(1);
    // Someone else does not see that conversation.
    await page.selectOption("[data-testid=user-select]", "U0APPR0001");
    await expect(page.locator("[data-channel=D0APPR0002]").count()).resolves.toBe(0);
  });

  it("opens on the app's channel with the latest message, not an empty one", async () => {
    await clientFor(emu).chat.postMessage({ channel: "C0CC200001", text: "Latest news here" });
    await page.goto(emu.origin);
    await page.getByText("Latest news here").waitFor();
    await expect(page.locator("#channel-header").textContent()).resolves.toContain("cc-200");
  });

  it("renders emoji shortcodes and date tokens as Slack does, not as raw text", async () => {
    await page.goto(emu.origin);
    await page.click("[data-channel=C0AP000001]");
    const ts = Date.UTC(2026, 10, 3, 12, 0, 0) / 1000;
    await clientFor(emu).chat.postMessage({
      channel: "C0AP000001",
      text: "decided",
      blocks: [
        {
          type: "context",
          elements: [
            {
              type: "mrkdwn",
              text: `:white_check_mark: *Approved* on <!date^${ts}^{date_num}|3 Nov 2026> :not_an_emoji:`,
            },
          ],
        },
      ],
    });
    const line = page.locator(".message").filter({ hasText: ":not_an_emoji:" });
    await line.waitFor();
    const text = (await line.textContent()) ?? "";
    expect(text).toContain("✅");
    expect(text).toMatch(/on 2026-11-0[23]/); // the viewer's own time zone, as in Slack
    expect(text).toContain(":not_an_emoji:");
    expect(text).not.toContain("!date^");
    expect(text).not.toContain("white_check_mark");
    // The shortcode's underscores are not read as _italic_.
    await expect(line.locator("i").count()).resolves.toBe(0);
  });
});
