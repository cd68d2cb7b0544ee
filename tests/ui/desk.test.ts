import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { launchBrowser, openLocalPage } from "../helpers/browser.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import { createKeyWithCli } from "../helpers/keys.js";
import { execute, waitForRun } from "../helpers/runs.js";

/**
 * The desk (public/) in a real headless Chromium against one real host process: approvals read in
 * human units; an approver-role key (made with `npm run keys:create`, assigned to the agent key
 * whose commands are held) approves, rejects and edits, moving exactly that money on the devnet, and
 * sees no admin view and no freeze controls (the API refuses it too); the spend chart agrees with
 * the payments API; an agent key is read-only; the admin's freeze switches (the wallet's and each
 * key's) ask first and do what they say; the main regions never overlap at 375 and 1440 px.
 * Screenshots of each view go to test-results/screenshots/desk/.
 */
const screenshots = path.resolve(import.meta.dirname, "../../test-results/screenshots/desk");

let host: HostProcess;
let browser: Browser;
let usdc: Address;
let chain: ReturnType<typeof createPublicClient>;
/** The agent key whose commands wait for approval, under a policy that only its approvers decide. */
let agent: { id: string; key: string };
/** An approver-role key assigned to `agent`, made as an operator makes one (`npm run keys:create`). */
let approver: { id: string; key: string };
const approverName = "desk-approver";

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  [host, browser] = await Promise.all([startHostProcess(), launchBrowser()]);
  const me = await host.request("GET", "/api/desk/me");
  usdc = me.body.tokens.find((t: { symbol: string }) => t.symbol === "USDC").address;
  chain = createPublicClient({ transport: http(`http://127.0.0.1:${host.env.DEVNET_PORT}`) });
  // The README's setup: a policy whose approvals only assigned approvers decide, an agent key
  // under it, an approver key assigned to that agent.
  const policy = await host.request("POST", "/api/policies", {
    name: "desk-agents",
    allowedActions: ["balance", "transfer", "swap", "pay"],
    maxPerAction: { amount: "100", token: "USD" },
    approvalThresholdUsd: "10",
    approvals: { required: 1, approvers: "assigned" },
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  const created = await host.request("POST", "/api/keys", {
    name: "desk-agent",
    role: "agent",
    policyId: policy.body.id,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  agent = { id: created.body.id, key: created.body.key };
  approver = await createKeyWithCli(host, { name: approverName, role: "approver" });
  const assigned = await host.request("PUT", `/api/keys/${approver.id}`, {
    approverFor: [agent.id],
  });
  expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await host?.stop().catch(() => {});
  if (host) await disposeHostData(host.dataDir);
});

const usdcOf = (owner: Address) =>
  chain.readContract({ address: usdc, abi: erc20Abi, functionName: "balanceOf", args: [owner] });

/**
 * Opens the page at `hash`, enters the key and waits for the first view. `apiCalls` collects the
 * path of every API request the page makes from the start.
 */
async function signIn(
  options: { key?: string; hash?: string; width?: number; apiCalls?: string[] } = {},
): Promise<Page> {
  const page = await openLocalPage(browser);
  if (options.apiCalls) {
    const calls = options.apiCalls;
    page.on("request", (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith("/api/")) calls.push(pathname);
    });
  }
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

const as = (key: string) => ({ authorization: `Bearer ${key}` });

/** The agent key's transfer of 50 USDC to a fresh address, held for approval; its token and recipient. */
async function pendingTransfer(): Promise<{
  runId: string;
  token: string;
  to: Address;
  reason: string;
}> {
  const to = privateKeyToAccount(generatePrivateKey()).address;
  const { runId } = await execute(
    host,
    { command: `send 50 USDC to ${to}`, approvalThreshold: "5" },
    as(agent.key),
  );
  const waiting = await waitForRun(host, runId, ["waiting_approval"]);
  const [approval] = waiting.pendingApprovals;
  return { runId, token: approval.token, to, reason: approval.reason };
}

describe("desk", () => {
  test('behavior: a pending 50 USDC transfer reads "50 USDC", not base units; the approver\'s Approve completes the run and moves 50 USDC', async () => {
    const { runId, token, to, reason } = await pendingTransfer();
    const page = await signIn({ key: approver.key });
    expect(await page.textContent("#who")).toContain("approver");
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
    expect(await decided.textContent()).toContain(`${approverName} (${approver.id}) approved`);
    await page.close();
  }, 120_000);

  test("behavior: the approve link opens the approval for the approver; its edit in human units moves exactly the edited amount", async () => {
    const { runId, token, to } = await pendingTransfer();
    const page = await signIn({ key: approver.key, hash: `#approval=${token}` });
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
    expect(await decided.textContent()).toContain(`${approverName} (${approver.id}) edited`);
    await page.close();
  }, 120_000);

  test("behavior: an approver key does its job on the page and only that: the desk and Reject, no admin view, no freeze controls, no runs; the API answers its admin calls 403", async () => {
    const { runId, token, to } = await pendingTransfer();
    // Straight to the admin view's address: an approver lands on the desk instead.
    const asked: string[] = [];
    const page = await signIn({ key: approver.key, hash: "#admin", apiCalls: asked });
    expect(await page.textContent("#who")).toContain(approverName);
    const tabs = await page
      .locator("#tabs a:visible")
      .evaluateAll((links) => links.map((a) => (a as HTMLElement).dataset.view));
    expect(tabs).toEqual(["desk", "spend"]);
    expect(await page.isVisible("#view-desk")).toBe(true);
    expect(await page.isVisible("#view-admin")).toBe(false);
    const card = page.locator(`#approvals article.approval[data-token="${token}"]`);
    await waitVisible(page, `#approvals article.approval[data-token="${token}"]`);
    // No admin data was even asked for, and no freeze control is on screen.
    expect(await page.locator("#keys li").count()).toBe(0);
    expect(
      await page.locator("#freeze-toggle:visible, #freeze-yes:visible, .key-freeze-toggle").count(),
    ).toBe(0);
    expect(await page.getByRole("button", { name: /freeze/i }).count()).toBe(0);
    await page.screenshot({ path: path.join(screenshots, "approver-1440.png"), fullPage: true });

    await card.locator("button.reject").click();
    const run = await waitForRun(host, runId);
    expect(run.status).toBe("failed");
    expect(run.error.message).toContain("rejected");
    expect(await usdcOf(to)).toBe(0n);
    const decided = page.locator(`#decided li[data-token="${token}"]`);
    await decided.waitFor({ timeout: 20_000 });
    expect(await decided.textContent()).toContain(`${approverName} (${approver.id}) rejected`);

    // A run link leaves an approver on the desk (approvers see no runs).
    await page.evaluate((id) => {
      location.hash = `run=${id}`;
    }, runId);
    await expect.poll(() => page.isVisible("#view-desk")).toBe(true);
    expect(await page.isVisible("#view-runs")).toBe(false);
    // Its other view, spend, loads for it.
    await page.click('#tabs a[data-view="spend"]');
    await waitVisible(page, "#sessions li");
    expect(await page.isVisible("#view-spend")).toBe(true);
    expect(await page.textContent("#message")).toBe("");
    // Through all of it the page asked only for what an approver may have: no admin data, no
    // runs (not even the run link's event stream), no freezes.
    expect(asked.length).toBeGreaterThan(0);
    expect(
      asked.filter((p) => !/^\/api\/(desk\/(me|approvals|spend)|approvals\/apr_\w+)$/.test(p)),
    ).toEqual([]);
    await page.close();

    // The API agrees with the page: an approver is refused every admin call, and runs no commands.
    const refused: [method: string, pathname: string, body?: unknown][] = [
      ["GET", "/api/keys"],
      ["POST", "/api/keys", { name: "sneaky", role: "admin" }],
      ["PUT", `/api/keys/${approver.id}`, { approverFor: [] }],
      ["POST", `/api/keys/${agent.id}/freeze`, { reason: "not mine to freeze" }],
      ["POST", `/api/keys/${agent.id}/unfreeze`, {}],
      ["POST", "/api/wallet/freeze", {}],
      ["POST", "/api/wallet/unfreeze", {}],
      ["GET", "/api/policies"],
      ["GET", "/api/notifications/deliveries"],
      ["POST", "/api/agent/execute", { command: "what's my balance" }],
    ];
    for (const [method, pathname, body] of refused) {
      const answer = await host.request(method, pathname, body, as(approver.key));
      expect(answer.status, `${method} ${pathname}`).toBe(403);
      expect(answer.body.error.code, `${method} ${pathname}`).toBe("forbidden");
    }
    expect((await host.request("GET", "/api/desk/me")).body.walletFreeze).toBeNull();
    const keys = (await host.request("GET", "/api/keys")).body.keys as {
      id: string;
      name: string;
      frozenAt: string | null;
    }[];
    expect(keys.find((k) => k.id === agent.id)?.frozenAt).toBeNull();
    expect(keys.map((k) => k.name)).not.toContain("sneaky");
  }, 120_000);

  test("error: an approver not assigned to the agent key neither sees nor decides its approvals", async () => {
    const { token } = await pendingTransfer();
    const other = await host.request("POST", "/api/keys", {
      name: "other-approver",
      role: "approver",
    });
    expect(other.status).toBe(201);
    const seen = await host.request(
      "GET",
      `/api/desk/approvals?status=all&token=${token}`,
      undefined,
      as(other.body.key),
    );
    expect(seen.status).toBe(200);
    expect(seen.body.approvals).toEqual([]);
    const vote = await host.request(
      "POST",
      `/api/approvals/${token}`,
      { decision: "approve" },
      as(other.body.key),
    );
    expect(vote.status).toBe(404);
    // The assigned approver does see it, and may decide it.
    const mine = await host.request(
      "GET",
      `/api/desk/approvals?status=pending&token=${token}`,
      undefined,
      as(approver.key),
    );
    expect(
      mine.body.approvals.map((a: { token: string; canDecide: boolean }) => [a.token, a.canDecide]),
    ).toEqual([[token, true]]);
  }, 60_000);

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

  test("behavior: a key's freeze switch in the admin's key list asks first, then freezes that key only (its new commands 423, another key's 202) and unfreezes it", async () => {
    const created = await host.request("POST", "/api/keys", { name: "freeze-me", role: "agent" });
    expect(created.status).toBe(201);
    const target = { id: created.body.id as string, key: created.body.key as string };
    // Whatever happens here, leave no key frozen.
    onTestFinished(async () => {
      await host.request("POST", `/api/keys/${target.id}/unfreeze`, {});
    });
    const frozenKeys = async () =>
      (
        (await host.request("GET", "/api/keys")).body.keys as {
          id: string;
          frozenAt: string | null;
        }[]
      )
        .filter((k) => k.frozenAt !== null)
        .map((k) => k.id);

    const page = await signIn({ hash: "#admin" });
    const rowSelector = `#keys li[data-key-id="${target.id}"]`;
    await waitVisible(page, rowSelector);
    const row = page.locator(rowSelector);
    expect(await row.locator(".key-freeze-state").textContent()).toBe("Not frozen.");
    // The button's accessible name says which key it freezes.
    const toggle = page.getByRole("button", { name: "Freeze key… freeze-me", exact: true });
    expect(await toggle.count()).toBe(1);
    // Never a secret: the list shows ids, not keys.
    expect(await page.textContent("#keys")).not.toContain("pgk_");

    await toggle.click();
    const confirm = row.locator(".confirm");
    expect(await confirm.isVisible()).toBe(true);
    expect(await confirm.textContent()).toContain("Freeze freeze-me?");
    expect(await page.locator("#keys .confirm:visible").count()).toBe(1);
    // Nothing happens before the confirmation.
    expect(await frozenKeys()).toEqual([]);
    await row.getByLabel("Reason").fill("lost laptop");
    // The open question fits a phone's width too.
    await page.setViewportSize({ width: 375, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await row.screenshot({ path: path.join(screenshots, "admin-key-confirm-375.png") });
    await page.setViewportSize({ width: 1440, height: 900 });
    // The page refreshes every few seconds: an open question and its reason survive that.
    await page.waitForResponse((r) => r.url().endsWith("/api/keys"), { timeout: 20_000 });
    expect(await confirm.isVisible()).toBe(true);
    expect(await row.getByLabel("Reason").inputValue()).toBe("lost laptop");
    await row.getByRole("button", { name: "Yes, freeze it" }).click();
    await expect
      .poll(() => row.locator(".key-freeze-state").textContent(), { timeout: 20_000 })
      .toMatch(/^frozen since .+: lost laptop\. Its commands answer 423/);
    expect(await row.getAttribute("data-frozen")).toBe("true");
    expect(await page.isVisible("#freeze-confirm")).toBe(false);

    // The API: only that key is frozen, with its reason; its new commands answer 423, another
    // key's are accepted, and the wallet is not frozen.
    expect(await frozenKeys()).toEqual([target.id]);
    const listed = (await host.request("GET", "/api/keys")).body.keys.find(
      (k: { id: string }) => k.id === target.id,
    );
    expect(listed).toMatchObject({ frozenReason: "lost laptop", frozenBy: expect.any(String) });
    const refused = await host.request(
      "POST",
      "/api/agent/execute",
      { command: "what's my balance" },
      as(target.key),
    );
    expect(refused.status).toBe(423);
    expect(refused.body.error.code).toBe("frozen");
    expect(refused.body.error.message).toContain(target.id);
    expect(refused.body.error.message).toContain("lost laptop");
    const other = await execute(host, { command: "what's my balance" }, as(agent.key));
    expect((await waitForRun(host, other.runId)).status).toBe("completed");
    expect((await host.request("GET", "/api/desk/me")).body.walletFreeze).toBeNull();
    await page.screenshot({
      path: path.join(screenshots, "admin-key-frozen-1440.png"),
      fullPage: true,
    });

    await page.getByRole("button", { name: "Unfreeze key… freeze-me", exact: true }).click();
    // Unfreezing takes no reason.
    expect(await row.getByLabel("Reason").count()).toBe(0);
    await row.getByRole("button", { name: "Yes, unfreeze it" }).click();
    await expect
      .poll(() => row.locator(".key-freeze-state").textContent(), { timeout: 20_000 })
      .toBe("Not frozen.");
    expect(await frozenKeys()).toEqual([]);
    const again = await execute(host, { command: "what's my balance" }, as(target.key));
    expect((await waitForRun(host, again.runId)).status).toBe("completed");
    await page.close();
  }, 90_000);

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
