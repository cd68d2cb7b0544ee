import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
  for (const bundle of ["step.js", "flow.js"]) externalizeSourceMap(path.join(outDir, bundle));
  process.stdout.write(`workflow bundles built in ${Date.now() - started} ms\n`);
}

const inlineMapPrefix = "\n//# sourceMappingURL=data:application/json;base64,";

/**
 * Moves a bundle's inline source map to `<bundle>.map`, referenced by URL. The step bundle's inline
 * map is 37 MB of its 52 MB, and Node reads and scans all of it on every host start (4.1 against
 * 1.0 s to require it here) though it only uses a map under --enable-source-maps, which finds the
 * external file as well. The bundle is replaced by a rename: a host starting meanwhile reads
 * either file whole.
 */
function externalizeSourceMap(file: string): void {
  const source = readFileSync(file, "utf8");
  const at = source.lastIndexOf(inlineMapPrefix);
  if (at === -1) return;
  const encoded = source.slice(at + inlineMapPrefix.length).trim();
  // Only the bundle's own last line: the flow bundle carries the workflow code, and its inline map,
  // inside a string literal, which must stay as it is.
  if (!/^[A-Za-z0-9+/]+=*$/.test(encoded)) return;
  const map = Buffer.from(encoded, "base64");
  writeFileSync(`${file}.map`, map);
  writeFileSync(
    `${file}.tmp`,
    `${source.slice(0, at)}\n//# sourceMappingURL=${path.basename(file)}.map\n`,
  );
  renameSync(`${file}.tmp`, file);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  buildWorkflows(process.cwd());
}
