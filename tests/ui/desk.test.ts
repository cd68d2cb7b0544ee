import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { launchBrowser, openLocalPage } from "../helpers/browser.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * The desk (public/) in a real headless Chromium against one real host process: approvals read in
 * human units, Approve and an edit in human units move exactly that money on the devnet, the spend
 * chart agrees with the payments API, an agent key is read-only, and the main regions never overlap
 * at 375 and 1440 px. Screenshots of each view go to test-results/screenshots/desk/.
 */
const screenshots = path.resolve(import.meta.dirname, "../../test-results/screenshots/desk");

let host: HostProcess;
let browser: Browser;
let usdc: Address;
let chain: ReturnType<typeof createPublicClient>;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  [host, browser] = await Promise.all([startHostProcess(), launchBrowser()]);
  const me = await host.request("GET", "/api/desk/me");
  usdc = me.body.tokens.find((t: { symbol: string }) => t.symbol === "USDC").address;
  chain = createPublicClient({ transport: http(`http://127.0.0.1:${host.env.DEVNET_PORT}`) });
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

const usdcOf = (owner: Address) =>
  chain.readContract({ address: usdc, abi: erc20Abi, functionName: "balanceOf", args: [owner] });

/** Opens the page at `hash`, enters the key and waits for the first view. */
async function signIn(
  options: { key?: string; hash?: string; width?: number } = {},
): Promise<Page> {
  const page = await openLocalPage(browser);
  await page.setViewportSize({ width: options.width ?? 1440, height: 900 });
  await page.goto(`${host.url}/${options.hash ?? ""}`);
  await page.fill("#api-key", options.key ?? host.apiKey);
  await page.press("#api-key", "Enter");
  await page.locator("#main").waitFor({ state: "visible", timeout: 20_000 });
  return page;
}

/** Waits for `selector`; on a timeout the error names what the page said (#message). */
async function waitVisible(page: Page, selector: string): Promise<void> {
  try {
    await page.locator(selector).first().waitFor({ timeout: 20_000 });
  } catch (error) {
    const said = await page.textContent("#message").catch(() => "");
    throw new Error(`${selector} did not appear; the page said: ${said || "nothing"}`, {
      cause: error,
    });
  }
}

/** A transfer of 50 USDC to a fresh address, held for approval; its token and recipient. */
async function pendingTransfer(): Promise<{
  runId: string;
  token: string;
  to: Address;
  reason: string;
}> {
  const to = privateKeyToAccount(generatePrivateKey()).address;
  const { runId } = await execute(host, {
    command: `send 50 USDC to ${to}`,
    approvalThreshold: "5",
  });
  const waiting = await waitForRun(host, runId, ["waiting_approval"]);
  const [approval] = waiting.pendingApprovals;
  return { runId, token: approval.token, to, reason: approval.reason };
}

describe("desk", () => {
  test('behavior: a pending 50 USDC transfer reads "50 USDC", not base units; Approve completes the run and moves 50 USDC', async () => {
    const { runId, token, to, reason } = await pendingTransfer();
    const page = await signIn();
    const card = page.locator(`#approvals article.approval[data-token="${token}"]`);
    await waitVisible(page, `#approvals article.approval[data-token="${token}"]`);
    const sentence = await card.locator(".sentence").textContent();
    expect(sentence).toBe(`Send 50 USDC to ${to.slice(0, 6)}…${to.slice(-4)} (new payee)`);
    expect(await card.locator(".sentence strong").textContent()).toBe("50 USDC");
    const text = (await card.textContent()) ?? "";
    expect(text).not.toContain("50000000");
    expect(text).toContain("$50.00");
    expect(text).toContain(reason);
    expect(text).toContain(`send 50 USDC to ${to}`);
    expect(text).toMatch(/\d+ h \d+ min left/);
    await page.screenshot({ path: path.join(screenshots, "desk-1440.png"), fullPage: true });

    expect(await usdcOf(to)).toBe(0n);
    await card.locator("button.approve").click();
    const run = await waitForRun(host, runId);
    expect(run.status).toBe("completed");
    expect(await usdcOf(to)).toBe(50_000_000n);
    // The desk moves it to the decided list, with who decided.
    const decided = page.locator(`#decided li[data-token="${token}"]`);
    await decided.waitFor({ timeout: 20_000 });
    expect(await decided.textContent()).toContain("approved");
    expect(await decided.textContent()).toContain("dev-admin");
    await page.close();
  }, 120_000);

  test("behavior: the approve link opens the approval; an edit in human units moves exactly the edited amount", async () => {
    const { runId, token, to } = await pendingTransfer();
    const page = await signIn({ hash: `#approval=${token}` });
    const card = page.locator(`#approval-focus article.approval[data-token="${token}"]`);
    await card.waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-token")))
      .toBe(token);

    await card.locator("button.edit-toggle").click();
    const input = card.locator('input[data-field="amount"]');
    expect(await input.inputValue()).toBe("50");
    await input.fill("12.345678");
    const change = (await card.locator(".edit-change").textContent()) ?? "";
    expect(change).toContain("50 USDC → 12.345678 USDC");
    expect(change).toContain("12345678 base units");
    // Too many decimals is refused before anything is sent.
    await input.fill("1.0000001");
    expect(await card.locator(".edit-change").textContent()).toContain("At most 6 decimals");
    expect(await card.locator("button.submit-edit").isDisabled()).toBe(true);
    await input.fill("12.345678");
    await page.screenshot({ path: path.join(screenshots, "desk-edit-1440.png"), fullPage: true });
    await card.locator("button.submit-edit").click();

    const run = await waitForRun(host, runId);
    expect(run.status).toBe("completed");
    expect(await usdcOf(to)).toBe(12_345_678n);
    const decided = page.locator(`#decided li[data-token="${token}"]`);
    await decided.waitFor({ timeout: 20_000 });
    await expect
      .poll(() => decided.textContent(), { timeout: 20_000 })
      .toContain("amount: 50 USDC → 12.345678 USDC");
    await page.close();
  }, 120_000);

  test("behavior: the spend chart's totals equal the payments API", async () => {
    const paid = await host.request("POST", "/api/payments/x402", {
      url: `${host.url}/api/demo/market-data`,
      maxAmount: { amount: "0.10", token: "USDC" },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(202);
    expect((await waitForRun(host, paid.body.runId)).status).toBe("completed");
    const payments = await host.request("GET", "/api/payments?status=settled&limit=100");
    const expected = new Map<string, bigint>();
    for (const p of payments.body.payments as { asset: string; amount: string }[]) {
      expected.set(p.asset, (expected.get(p.asset) ?? 0n) + BigInt(p.amount));
    }
    expect(expected.size).toBeGreaterThan(0);

    const page = await signIn({ hash: "#spend" });
    await waitVisible(page, "#spend-chart figure.chart");
    const figures = await page.locator("#spend-chart figure.chart").evaluateAll((nodes) =>
      nodes.map((n) => ({
        asset: (n as HTMLElement).dataset.asset!,
        total: (n as HTMLElement).dataset.total!,
        bars: [...n.querySelectorAll("rect.bar")].map((r) => r.getAttribute("data-amount")!),
        shown: n.querySelector(".chart-total")?.textContent,
      })),
    );
    expect(new Map(figures.map((f) => [f.asset, BigInt(f.total)]))).toEqual(expected);
    for (const figure of figures) {
      expect(figure.bars).toHaveLength(30);
      expect(figure.bars.reduce((sum, v) => sum + BigInt(v), 0n)).toBe(BigInt(figure.total));
    }
    const usdcFigure = figures.find((f) => f.asset.toLowerCase() === usdc.toLowerCase())!;
    expect(usdcFigure.shown).toBe(usdcText(expected.get(usdcFigure.asset)!));
    // Payments by service list the demo service; the session's bars are drawn.
    expect(await page.locator("#by-service").textContent()).toContain("Market Data API");
    expect(await page.locator("#sessions .meter").count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(screenshots, "spend-1440.png"), fullPage: true });
    await page.close();
  }, 120_000);

  test("behavior: an agent key sees its own runs read-only: no desk, no admin, no buttons that decide or cancel", async () => {
    const created = await host.request("POST", "/api/keys", {
      name: "agent-ui",
      scope: "sessions",
    });
    expect(created.status).toBe(201);
    const agentKey = created.body.key as string;
    const own = await fetch(`${host.url}/api/agent/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${agentKey}`, "content-type": "application/json" },
      body: JSON.stringify({ command: "swap 1000 CRO for USDC", approvalThreshold: "5" }),
    }).then((r) => r.json() as Promise<{ runId: string }>);
    await waitForRun(host, own.runId, ["waiting_approval"]);

    const page = await signIn({ key: agentKey });
    expect(await page.textContent("#who")).toContain("agent");
    expect(await page.isVisible('nav a[data-view="desk"]')).toBe(false);
    expect(await page.isVisible('nav a[data-view="admin"]')).toBe(false);
    const row = page.locator(`#runs li.run[data-run-id="${own.runId}"]`);
    await row.waitFor({ timeout: 20_000 });
    // Only its own runs: the admin's transfers are not listed.
    const listed = await page
      .locator("#runs li.run")
      .evaluateAll((n) => n.map((e) => (e as HTMLElement).dataset.runId));
    expect(listed).toEqual([own.runId]);
    await row.locator("button").click();
    await expect.poll(() => page.getAttribute("#run-detail", "data-run-id")).toBe(own.runId);
    await expect
      .poll(() => page.locator("#timeline li").count(), { timeout: 20_000 })
      .toBeGreaterThan(1);
    await expect
      .poll(() => page.textContent("#timeline"), { timeout: 20_000 })
      .toMatch(/waiting for approval since \d/);
    expect(await page.locator("button.approve, button.reject, #cancel-run:visible").count()).toBe(
      0,
    );
    await page.screenshot({ path: path.join(screenshots, "agent-runs-1440.png"), fullPage: true });
    await page.close();
  }, 120_000);

  test("behavior: the main regions never overlap and nothing scrolls sideways, at 375 and 1440 px, in every view", async () => {
    // Something in every view: a pending approval, runs with steps, a payment.
    const { runId } = await pendingTransfer();
    for (const width of [375, 1440]) {
      const page = await signIn({ width });
      for (const view of ["desk", `run=${runId}`, "spend", "admin"]) {
        await page.evaluate((hash) => {
          location.hash = hash;
        }, view);
        const ready = view.startsWith("run=")
          ? "#timeline li"
          : view === "desk"
            ? "#approvals article.approval"
            : view === "spend"
              ? "#spend-chart figure"
              : "#keys li";
        await waitVisible(page, ready);
        const boxes = await page.evaluate(() =>
          [...document.querySelectorAll<HTMLElement>("[data-region]")]
            .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === "fixed")
            .map((e) => {
              const r = e.getBoundingClientRect();
              return { name: e.dataset.region!, x: r.x, y: r.y + scrollY, w: r.width, h: r.height };
            }),
        );
        expect(boxes.length, view).toBeGreaterThanOrEqual(3);
        for (const [i, a] of boxes.entries()) {
          expect(a.x, `${a.name} at ${width}`).toBeGreaterThanOrEqual(0);
          expect(a.x + a.w, `${a.name} at ${width}`).toBeLessThanOrEqual(width + 0.5);
          for (const b of boxes.slice(i + 1)) {
            const overlapX = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
            const overlapY = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
            expect(
              overlapX > 0.5 && overlapY > 0.5,
              `${a.name} overlaps ${b.name} (${view}, ${width} px)`,
            ).toBe(false);
          }
        }
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          width,
        );
        const name = view.startsWith("run=") ? "run" : view;
        await page.screenshot({
          path: path.join(screenshots, `${name}-${width}.png`),
          fullPage: true,
        });
      }
      await page.close();
    }
  }, 120_000);

  test("behavior: the admin's freeze switch asks first, then freezes the wallet (new commands 423) and lifts it", async () => {
    const page = await signIn({ hash: "#admin" });
    // Whatever happens here, the later tests need a wallet that moves money.
    onTestFinished(async () => {
      await host.request("POST", "/api/wallet/unfreeze", {});
    });
    await waitVisible(page, "#keys li");
    expect(await page.textContent("#freeze-state")).toContain("Not frozen");
    await page.click("#freeze-toggle");
    expect(await page.isVisible("#freeze-confirm")).toBe(true);
    // Nothing happens before the confirmation.
    expect((await host.request("GET", "/api/desk/me")).body.walletFreeze).toBeNull();
    await page.fill("#freeze-reason", "desk test");
    await page.click("#freeze-yes");
    await expect
      .poll(() => page.textContent("#freeze-state"), { timeout: 20_000 })
      .toContain("frozen: desk test");
    const refused = await host.request("POST", "/api/agent/execute", {
      command: "what's my balance",
    });
    expect(refused.status).toBe(423);
    await page.screenshot({
      path: path.join(screenshots, "admin-frozen-1440.png"),
      fullPage: true,
    });
    await page.click("#freeze-toggle");
    await page.click("#freeze-yes");
    await expect
      .poll(() => page.textContent("#freeze-state"), { timeout: 20_000 })
      .toContain("Not frozen");
    expect((await host.request("GET", "/api/desk/me")).body.walletFreeze).toBeNull();
    await page.close();
  }, 60_000);

  test("error: a wrong key is refused and the key form comes back", async () => {
    const page = await openLocalPage(browser, `${host.url}/`);
    await page.fill("#api-key", "pgk_not_a_real_key_at_all");
    await page.press("#api-key", "Enter");
    await expect.poll(() => page.textContent("#message"), { timeout: 20_000 }).toMatch(/refused/);
    expect(await page.isVisible("#key-form")).toBe(true);
    expect(await page.isVisible("#main")).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem("paygent.apiKey"))).toBeNull();
    await page.close();
  }, 60_000);

  test("behavior: server data is rendered as text, never as markup", async () => {
    const url = `http://127.0.0.1:9/<img src=x onerror=window.__pwned=1><b id=injected>x</b>`;
    const paid = await host.request("POST", "/api/payments/x402", {
      url,
      maxAmount: { amount: "0.001", token: "USDC" },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(202);
    const page = await signIn({ hash: `#run=${paid.body.runId}` });
    await expect
      .poll(() => page.textContent("#detail-command"), { timeout: 20_000 })
      .toContain(url);
    expect(await page.locator("#injected").count()).toBe(0);
    expect(await page.locator("img").count()).toBe(0);
    expect(
      await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
    ).toBeUndefined();
    await page.close();
  }, 60_000);
});

function usdcText(base: bigint): string {
  const whole = base / 1_000_000n;
  const fraction = (base % 1_000_000n).toString().padStart(6, "0");
  if (/^0+$/.test(fraction)) return `${whole} USDC`;
  return `${whole}.${fraction.slice(0, 2)} USDC`;
}
