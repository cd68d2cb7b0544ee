import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, openLocalPage } from "../helpers/browser.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * The read-only page (public/index.html) served by a real local host process, driven in a real
 * headless Chromium from npm (@sparticuz/chromium, see tests/helpers/browser.ts): key entry, runs,
 * a pending approval, Approve → completed.
 */

let host: HostProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  host = await startHostProcess();
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

function openPage(): Promise<Page> {
  return openLocalPage(browser!, `${host!.url}/`);
}

describe("page", () => {
  test("behavior: enter the key, see the waiting run and its approval, approve, see it complete", async () => {
    const accepted = await execute(host!, {
      command: "swap 1000 CRO for USDC",
      approvalThreshold: "5",
    });
    const waiting = await waitForRun(host!, accepted.runId, ["waiting_approval"]);
    const { token } = waiting.pendingApprovals[0];

    const page = await openPage();
    expect(await page.title()).toContain("Paygent");
    await page.fill("#api-key", host!.apiKey);
    await page.click("#key-form button[type=submit]");
    // The key lives in this tab's sessionStorage only.
    expect(await page.evaluate(() => sessionStorage.getItem("paygent.apiKey"))).toBe(host!.apiKey);

    const runRow = page.locator(`tr.run[data-run-id="${accepted.runId}"]`);
    await expect
      .poll(() => runRow.getAttribute("data-status"), { timeout: 20_000 })
      .toBe("waiting_approval");
    expect(await runRow.textContent()).toContain("swap 1000 CRO for USDC");

    const approvalRow = page.locator(`tr.approval[data-token="${token}"]`);
    await approvalRow.waitFor({ timeout: 20_000 });
    expect(await approvalRow.getAttribute("data-run-id")).toBe(accepted.runId);
    expect(await approvalRow.textContent()).toMatch(/swap/i);

    // The newest run is shown in detail: command, its step and the pending approval.
    const detail = page.locator("#run-detail");
    await expect
      .poll(() => detail.getAttribute("data-run-id"), { timeout: 20_000 })
      .toBe(accepted.runId);
    expect(await page.textContent("#detail-command")).toBe("swap 1000 CRO for USDC");
    expect(await page.locator("#detail-approvals li").first().textContent()).toMatch(/swap/i);

    await approvalRow.locator("button.approve").click();
    await expect
      .poll(() => runRow.getAttribute("data-status"), { timeout: 60_000 })
      .toBe("completed");
    await expect
      .poll(() => detail.getAttribute("data-status"), { timeout: 20_000 })
      .toBe("completed");
    await expect
      .poll(() => page.locator(`tr.approval[data-token="${token}"]`).count(), { timeout: 20_000 })
      .toBe(0);
    // The swap really happened: one transaction hash in the step table, and a cost.
    expect(await page.locator("#detail-steps tr.step code").count()).toBe(1);
    expect(await page.textContent("#detail-cost-totals")).toMatch(/CRO/);

    const run = await waitForRun(host!, accepted.runId);
    expect(run.status).toBe("completed");
    expect(run.steps.find((s: { action: string }) => s.action === "swap").txHashes).toHaveLength(1);
    await page.close();
  }, 180_000);

  test("behavior: server data is rendered as text, never as markup", async () => {
    // The command of an x402 run echoes the URL verbatim: a handy carrier for markup.
    const url = `http://127.0.0.1:9/<img src=x onerror=window.__pwned=1><b id=injected>x</b>`;
    const paid = await host!.request("POST", "/api/payments/x402", { url, maxAmount: "1000" });
    expect(paid.status, JSON.stringify(paid.body)).toBe(202);
    const page = await openPage();
    await page.fill("#api-key", host!.apiKey);
    await page.click("#key-form button[type=submit]");
    const runRow = page.locator(`tr.run[data-run-id="${paid.body.runId}"]`);
    await runRow.waitFor({ timeout: 20_000 });
    expect(await runRow.textContent()).toContain(url);
    // The detail panel follows the newest run, one request after the list.
    await expect
      .poll(() => page.textContent("#detail-command"), { timeout: 20_000 })
      .toBe(`pay ${url} (max 1000 base units of USDC)`);
    expect(await page.locator("#injected").count()).toBe(0);
    expect(await page.locator("img").count()).toBe(0);
    expect(
      await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await page.close();
  }, 120_000);

  test("error: a wrong key is refused and the key form comes back", async () => {
    const page = await openPage();
    await page.fill("#api-key", "pk_not_a_real_key");
    await page.click("#key-form button[type=submit]");
    await expect.poll(() => page.textContent("#message"), { timeout: 20_000 }).not.toBe("");
    expect(await page.isVisible("#key-form")).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("paygent.apiKey"))).toBeNull();
    expect(await page.isVisible("#content")).toBe(false);
    await page.close();
  }, 60_000);
});
