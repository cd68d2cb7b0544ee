import path from "node:path";
import { expect, test } from "vitest";
import { runKeysCreate } from "../helpers/keys.js";
import { useHostProcess } from "../helpers/useHostProcess.js";

/**
 * `npm run keys:create` while the dev host runs on the same PGlite folder (issue 20): the CLI
 * must not open the folder from a second process; it goes through the host's admin API, or
 * refuses clearly when it has no admin key.
 */
const host = useHostProcess({}, 400_000);

const keysCreate = (args: string[], env: Record<string, string> = {}) =>
  runKeysCreate(host, args, env);

test("behavior: with the host running, the key is created through the host and works at once", async () => {
  const result = await keysCreate(["--name", "cli-agent", "--role", "agent"]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/in use by process \d+; creating the key through http/);
  const key = result.stdout.trim();
  expect(key).toMatch(/^pgk_/);
  const sessions = await fetch(`${host.url}/api/agent/sessions`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(sessions.status).toBe(200);
  const listed = await host.request("GET", "/api/keys");
  expect(listed.body.keys.map((k: { name: string }) => k.name)).toContain("cli-agent");
});

test("error: without an admin key it refuses clearly and leaves the folder alone", async () => {
  const result = await keysCreate(["--name", "cli-refused"], {
    DEV_API_KEY_FILE: path.join(host.dataDir, "no-such-key-file"),
  });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/PGlite folder .* is in use by process \d+/);
  expect(result.stderr).toMatch(/no admin key/);
  const listed = await host.request("GET", "/api/keys");
  expect(listed.body.keys.map((k: { name: string }) => k.name)).not.toContain("cli-refused");
  // The host still works on its folder.
  expect((await host.request("GET", "/api/agent/sessions")).status).toBe(200);
});

test("behavior: --help prints usage and exits 0; an unknown flag is a usage error, not a crash", async () => {
  const help = await keysCreate(["--help"]);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^usage: npm run keys:create/);
  const unknown = await keysCreate(["--nmae", "x"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown option '--nmae'/);
  expect(unknown.stderr).toMatch(/usage:/);
  expect(unknown.stderr).not.toMatch(/ERR_PARSE_ARGS|at parseArgs/);
});
