import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Builds the standalone workflow bundles (.well-known/workflow/v1/{flow,step}.js). The bundles are
 * CommonJS while this package is ESM, so the folder gets its own {"type":"commonjs"} marker.
 */
export function buildWorkflows(root: string): void {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/workflow/bin/run.js"), "build"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`workflow build failed (exit ${result.status})`);
  }
  const outDir = path.join(root, ".well-known/workflow/v1");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "package.json"), '{"type":"commonjs"}\n');
  process.stdout.write(`workflow bundles built in ${Date.now() - started} ms\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  buildWorkflows(process.cwd());
}
