import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CHANNELS, DEMO_USERS } from "../../sandbox/demo/routing.ts";
import { type Demo, startDemo } from "../../sandbox/demo/start.ts";
import { CHROMIUM, describeWithBrowser } from "../support/browser.ts";

/**
 * Issue 11's browser test: the demo composition (Redis, ION simulator with its story, Slack
 * emulator, the app with every role) driven through the emulator's web view in Debian's
 * Chromium. Every wait is for something on the page, never a fixed sleep; screenshots of each
 * step go to test/artifacts/demo/.
 */
const ARTIFACTS = "test/artifacts/demo";
const CHANNEL = DEMO_CHANNELS.cc200;
// #cc-200-sales members: Bo (approver for CC200 through @ap-approvers) and Dina (no approver).
const APPROVER = DEMO_USERS.approvers[1];
const NON_APPROVER = DEMO_USERS.nonApprovers[1];
// Generous for a busy 2-core machine: the demo itself posts within seconds.
const UI_WAIT = 45_000;

let demo: Demo;
let context: BrowserContext;
let page: Page;
let profile = "";
let dataDir = "";
let started = 0;

async function actAs(userId: string): Promise<void> {
  await page.selectOption("[data-testid=user-select]", userId);
  await page.click(`[data-channel=${CHANNEL}]`);
  await page.locator("#channel-header", { hasText: "cc-200-sales" }).waitFor();
}

describeWithBrowser("the demo in a browser", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    started = Date.now();
    dataDir = mkdtempSync(join(tmpdir(), "cs-demo-"));
    demo = await startDemo({
      dataDir,
      logLevel: "error",
    });
    profile = mkdtempSync(join(tmpdir(), "cs-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 860 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(UI_WAIT);
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await demo?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("shows alerts, answers /infor po, refuses a non-approver and takes an approval", async () => {
    await page.goto(demo.webView);
    await actAs(NON_APPROVER.id);

    // 1. An invoice alert arrives (the first poll imports the day's invoices).
    await page.locator("#messages > article.message", { hasText: "Invoice" }).first().waitFor();
    const firstAlertSeconds = (Date.now() - started) / 1000;
    console.info(
      `demo: first alert visible in the browser ${firstAlertSeconds.toFixed(1)} s after start`,
    );
    expect(firstAlertSeconds).toBeLessThan(60);
    await page.screenshot({ path: `${ARTIFACTS}/1-alert.png` });

    // 2. /infor po <number> answers privately.
    const scenario = demo.sim.control.scenarios(demo.sim.tenant).priceVariance[0];
    const puno = demo.sim.control
      .data(demo.sim.tenant)
      .invoices.find((i) => i.inbn === scenario)?.puno;
    expect(puno).toBeTruthy();
    await page.fill("[data-testid=composer]", `/infor po ${puno}`);
    await page.press("[data-testid=composer]", "Enter");
    const answer = page.locator("article.message.ephemeral", { hasText: String(puno) }).first();
    await answer.waitFor();
    await expect(answer.textContent()).resolves.toContain("Only visible to you");
    await page.screenshot({ path: `${ARTIFACTS}/2-infor-po.png` });

    // 3. A price variance waits for a decision; a non-approver's click is refused.
    const pending = page
      .locator("#messages > article.message", { hasText: "Price variance" })
      .filter({ has: page.locator('button[data-action-id="approval.approve"]') })
      .first();
    await pending.waitFor();
    const ts = await pending.getAttribute("data-ts");
    expect(ts).toBeTruthy();
    const message = page.locator(`#messages > article.message[data-ts="${ts}"]`);
    await message.locator('button[data-action-id="approval.approve"]').click();
    await page.locator("[data-testid=confirm-ok]").click();
    await page.locator("article.message.ephemeral", { hasText: "Nothing was recorded" }).waitFor();
    await expect(
      message.locator('button[data-action-id="approval.approve"]').count(),
    ).resolves.toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/3-refused.png` });

    // 4. An approver approves: the message is stamped and its buttons are gone.
    await actAs(APPROVER.id);
    await message.locator('button[data-action-id="approval.approve"]').click();
    await page.locator("[data-testid=confirm-ok]").click();
    await message
      .locator('button[data-action-id="approval.approve"]')
      .waitFor({ state: "detached" });
    await message
      .getByText(/Approved/)
      .first()
      .waitFor();
    await expect(message.textContent()).resolves.toContain(APPROVER.name);
    // Live updates re-render the list; bring the decided message to the top for the picture.
    await message.evaluate((el) => el.scrollIntoView({ block: "start" }));
    await page.screenshot({ path: `${ARTIFACTS}/4-approved.png` });
    // The README's picture: refreshed on request, so a test run leaves the tree clean.
    if (!existsSync("docs/demo.png") || process.env.UPDATE_DEMO_PNG === "1") {
      mkdirSync("docs", { recursive: true });
      copyFileSync(`${ARTIFACTS}/4-approved.png`, "docs/demo.png");
    }
  }, 180_000);
});
