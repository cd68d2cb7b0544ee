/**
 * `npm run trace:functions`: the files each api/ function would carry on Vercel, traced the way
 * @vercel/node traces them (@vercel/nft over the TypeScript sources, honouring vercel.json's
 * excludeFiles), with sizes — in seconds instead of the ~9 minutes of `vercel build`. Use it to
 * see what pulls a dependency into every function; `npm run build:vercel` reports the real sizes.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { nodeFileTrace } from "@vercel/nft";
import ts from "typescript";
import { discoverApiRoutes } from "./routes.js";

/** One function's trace. */
export interface FunctionTrace {
  /** api/… path without the extension, as the .func folder is named. */
  name: string;
  files: string[];
  bytes: number;
  /** Per top-level package (or "(project)"), bytes carried. */
  byPackage: Map<string, number>;
  /** Why a file is in: the chain of parents from the entry point. */
  why(file: string): string[];
}

/** The excludeFiles glob vercel.json sets for api/ functions, if any. */
export function apiExcludeFiles(root: string): string | undefined {
  const config = JSON.parse(readFileSync(path.join(root, "vercel.json"), "utf8")) as {
    functions?: Record<string, { excludeFiles?: string }>;
  };
  return config.functions?.["api/**/*.ts"]?.excludeFiles;
}

function packageOf(file: string): string {
  const parts = file.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at === -1) return "(project)";
  const name = parts[at + 1] ?? "";
  return name.startsWith("@") ? `${name}/${parts[at + 2]}` : name;
}

/** Traces every api/ function (or those whose name contains `filter`). */
export async function traceFunctions(root: string, filter?: string): Promise<FunctionTrace[]> {
  const routes = discoverApiRoutes(root).filter(
    (route) => !filter || path.relative(root, route.file).includes(filter),
  );
  const ignore = apiExcludeFiles(root);
  const cache = {};
  const traces: FunctionTrace[] = [];
  for (const route of routes) {
    const { fileList, reasons } = await nodeFileTrace([route.file], {
      base: root,
      processCwd: root,
      ts: true,
      mixedModules: true,
      moduleSyncCatchall: true,
      cache,
      ...(ignore ? { ignore } : {}),
      // Like @vercel/node: TypeScript is compiled before it is analysed.
      async readFile(file) {
        try {
          const source = readFileSync(file, "utf8");
          if (/\.(c|m)?tsx?$/.test(file) && !file.endsWith(".d.ts")) {
            return ts.transpileModule(source, {
              fileName: file,
              compilerOptions: {
                module: ts.ModuleKind.ESNext,
                target: ts.ScriptTarget.ES2022,
                verbatimModuleSyntax: false,
              },
            }).outputText;
          }
          return source;
        } catch {
          return null;
        }
      },
    });
    const files = [...fileList].sort();
    const byPackage = new Map<string, number>();
    let bytes = 0;
    for (const file of files) {
      let size = 0;
      try {
        const stat = statSync(path.join(root, file));
        size = stat.isFile() ? stat.size : 0;
      } catch {
        size = 0;
      }
      bytes += size;
      const name = packageOf(file);
      byPackage.set(name, (byPackage.get(name) ?? 0) + size);
    }
    traces.push({
      name: path.relative(root, route.file).replace(/\.ts$/, ""),
      files,
      bytes,
      byPackage,
      why(file) {
        const chain: string[] = [];
        let current: string | undefined = file;
        const seen = new Set<string>();
        while (current && !seen.has(current)) {
          seen.add(current);
          chain.push(current);
          current = [...(reasons.get(current)?.parents ?? [])][0];
        }
        return chain;
      },
    });
  }
  return traces;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [filter, why] = process.argv.slice(2);
  traceFunctions(process.cwd(), filter).then(
    (traces) => {
      for (const trace of traces) {
        const top = [...trace.byPackage.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([name, size]) => `${name} ${mb(size)}`)
          .join(", ");
        process.stdout.write(`${mb(trace.bytes).padStart(9)}  ${trace.name}  (${top})\n`);
        if (why) {
          for (const file of trace.files.filter((f) => f.includes(why)).slice(0, 1))
            process.stdout.write(`    why ${file}:\n      ${trace.why(file).join("\n      ← ")}\n`);
        }
      }
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
