import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import chromium from "@sparticuz/chromium";
import {
  type Browser,
  type LaunchOptions,
  type Page,
  chromium as playwright,
} from "playwright-core";

/**
 * A real headless Chromium for page tests, taken from npm (@sparticuz/chromium ships the binary
 * inside the package, brotli-compressed) and driven with playwright-core. No Debian package, no
 * download at install time: `npm install && npm test` is enough on any Linux x64 machine.
 */

const root = path.resolve(import.meta.dirname, "../..");
const require = createRequire(import.meta.url);

/** Version of the installed @sparticuz/chromium (its package.json is not exported, so read the file). */
function packagedVersion(): string {
  const entry = require.resolve("@sparticuz/chromium");
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string })
    .version;
}

/**
 * Flags: @sparticuz/chromium's serverless set, minus its relaxations of web security (a page test
 * must see the browser's real same-origin and mixed-content rules) and minus --single-process
 * (meant for Lambda; here closing one page took the whole browser down with it), plus no
 * background network calls (the tests run with no internet).
 */
const dropped = new Set([
  "--disable-web-security",
  "--allow-running-insecure-content",
  "--disable-site-isolation-trials",
  "--single-process",
]);

/** The Chromium flags launchBrowser uses. */
export function browserArgs(): string[] {
  return [
    ...chromium.args.filter((arg) => !dropped.has(arg)),
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
  ];
}

/** Runs the package's own unpacking in a child process whose temp folder is `dir`. */
function unpackInto(dir: string): Promise<string> {
  // @sparticuz/chromium unpacks into os.tmpdir() and trusts whatever `chromium` file it finds there:
  // a child with its own TMPDIR keeps our process's environment untouched and the unpack private.
  const script =
    "import c from '@sparticuz/chromium'; process.stdout.write(await c.executablePath());";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      env: { ...process.env, TMPDIR: dir, TMP: dir, TEMP: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 && out
        ? resolve(out)
        : reject(new Error(`unpacking @sparticuz/chromium failed (exit ${code}): ${err.trim()}`)),
    );
  });
}

let unpacked: Promise<string> | undefined;

/**
 * Path of the Chromium binary, unpacked once per machine and package version into
 * `<tmp>/paygent-chromium-<version>/` (~1–2 s the first time, then immediate). The unpack happens
 * in a private staging folder that is renamed into place, so parallel test workers never launch a
 * half-written binary, and a newer package version never reuses an older binary.
 */
export function chromiumExecutablePath(): Promise<string> {
  unpacked ??= (async () => {
    const target = path.join(tmpdir(), `paygent-chromium-${packagedVersion()}`);
    const binary = path.join(target, "chromium");
    if (existsSync(path.join(target, ".complete"))) return binary;
    const staging = await mkdtemp(path.join(tmpdir(), "paygent-chromium-staging-"));
    try {
      const stagedBinary = await unpackInto(staging);
      if (path.dirname(stagedBinary) !== staging)
        throw new Error(`@sparticuz/chromium unpacked outside its temp folder: ${stagedBinary}`);
      await writeFile(path.join(staging, ".complete"), packagedVersion());
      await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
        // Another worker finished first: its complete copy wins.
        if (!existsSync(path.join(target, ".complete"))) throw error;
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return binary;
  })();
  unpacked.catch(() => {
    unpacked = undefined;
  });
  return unpacked;
}

/** Options of launchBrowser: playwright's launch options, with extra flags appended. */
export interface LaunchBrowserOptions extends Omit<LaunchOptions, "executablePath" | "args"> {
  /** Appended to browserArgs(). */
  args?: string[];
}

/** Launches the packaged headless Chromium through playwright-core. Close it in afterAll. */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const { args = [], ...rest } = options;
  return playwright.launch({
    headless: true,
    ...rest,
    executablePath: await chromiumExecutablePath(),
    args: [...browserArgs(), ...args],
  });
}

/**
 * A new page that may only talk to the local machine (anything else is aborted: a page that
 * fetches from elsewhere is a bug, and the tests run with no internet), opened at `url` if given.
 */
export async function openLocalPage(browser: Browser, url?: string): Promise<Page> {
  const page = await browser.newPage();
  await page.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort());
  if (url) await page.goto(url);
  return page;
}
