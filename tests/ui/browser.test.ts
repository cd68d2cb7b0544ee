import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chromiumExecutablePath, launchBrowser, openLocalPage } from "../helpers/browser.js";

/** The page-test browser itself: Chromium from npm, no system browser, no way off the machine. */

let server: Server;
let url: string;
let browser: Browser;
/** A second server on another loopback address: reachable, but not an address pages may use. */
let elsewhere: Server;
let elsewhereUrl: string;
let elsewhereHits = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/data") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end('{"ok":true}');
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>probe</title><p id=greeting>hello from 127.0.0.1</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  elsewhere = createServer((_request, response) => {
    elsewhereHits += 1;
    response.end("reached");
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.2", resolve));
  elsewhereUrl = `http://127.0.0.2:${(elsewhere.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => elsewhere?.close(resolve));
});

describe("browser helper", () => {
  test("behavior: the binary is the one unpacked from the npm package, not a system browser", async () => {
    const executable = await chromiumExecutablePath();
    expect(path.dirname(path.dirname(executable))).toBe(tmpdir());
    expect(path.basename(path.dirname(executable))).toMatch(/^paygent-chromium-\d+\.\d+\.\d+$/);
    expect(browser.version()).toMatch(/^\d+\./);
  });

  test("behavior: renders a local page and reaches the local server", async () => {
    const page = await openLocalPage(browser, `${url}/`);
    expect(await page.title()).toBe("probe");
    expect(await page.textContent("#greeting")).toBe("hello from 127.0.0.1");
    const body = await page.evaluate(async () => (await fetch("/data")).json());
    expect(body).toEqual({ ok: true });
    await page.close();
  });

  test("error: a request that would leave the machine is aborted", async () => {
    const page = await openLocalPage(browser, `${url}/`);
    // 127.0.0.2 answers (it is loopback), so only the helper's routing can stop this request.
    const outcome = await page.evaluate(async (target) => {
      try {
        await fetch(target, { mode: "no-cors" });
        return "reached";
      } catch (error) {
        return `refused: ${(error as Error).name}`;
      }
    }, elsewhereUrl);
    expect(outcome).toBe("refused: TypeError");
    expect(elsewhereHits).toBe(0);
    await page.close();
  });
});
