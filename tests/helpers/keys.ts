import { spawn } from "node:child_process";
import path from "node:path";
import type { HostProcess } from "./host.js";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Runs `npm run keys:create -- <args>` (dev/createApiKey.ts, under tsx as the npm script does) with
 * the host's environment, as an operator would next to a running dev host: the CLI finds the
 * PGlite folder in use and creates the key through the host's admin API.
 */
export function runKeysCreate(
  host: HostProcess,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "dev/createApiKey.ts", ...args], {
      cwd: root,
      env: { ...host.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A key made with `npm run keys:create -- --name <name> --role <role>`: its id and plaintext key. */
export async function createKeyWithCli(
  host: HostProcess,
  options: { name: string; role: "admin" | "agent" | "approver"; policy?: string },
): Promise<{ id: string; key: string }> {
  const args = ["--name", options.name, "--role", options.role];
  if (options.policy) args.push("--policy", options.policy);
  const result = await runKeysCreate(host, args);
  const id = /Created \w+ key (key_\w+)/.exec(result.stderr)?.[1];
  const key = result.stdout.trim();
  if (result.code !== 0 || !id || !/^pgk_/.test(key)) {
    throw new Error(`keys:create failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return { id, key };
}
