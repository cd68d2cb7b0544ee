import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { buildWorkflows } from "../../dev/buildWorkflows.js";

const root = path.resolve(import.meta.dirname, "../..");
const bundle = path.join(root, ".well-known/workflow/v1/step.js");
const lock = path.join(root, "node_modules/.cache/paygent-workflow-build.lock");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return true;
  }
  return (
    Math.max(newestSource(path.join(root, "workflows")), newestSource(path.join(root, "lib"))) >
    built
  );
}

/**
 * Makes sure the workflow bundles match the sources before a test starts a host process, building
 * them at most once at a time across vitest workers (an atomic mkdir is the lock).
 */
export async function ensureWorkflowBundles(): Promise<void> {
  for (;;) {
    if (!isStale()) return;
    try {
      mkdirSync(path.dirname(lock), { recursive: true });
      mkdirSync(lock);
    } catch {
      // Another worker is building: wait for it (a lock older than 10 minutes is abandoned).
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000)
          rmSync(lock, { recursive: true, force: true });
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (isStale()) buildWorkflows(root);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
