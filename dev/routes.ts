import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { compilePattern } from "../lib/http/route.js";

/** One api/ file and the URL pattern Vercel gives it. */
export interface ApiRoute {
  pattern: string;
  file: string;
  match: (pathname: string) => Record<string, string> | undefined;
  /** Static routes sort before dynamic ones, as on Vercel. */
  dynamicSegments: number;
}

/** Maps api/ files to Vercel's paths: api/runs/[id].ts → /api/runs/[id], api/x/index.ts → /api/x. */
export function discoverApiRoutes(root: string): ApiRoute[] {
  const apiDir = path.join(root, "api");
  const routes: ApiRoute[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.startsWith("_")) {
        const relative = path.relative(root, full).replace(/\\/g, "/").replace(/\.ts$/, "");
        const pattern = `/${relative.replace(/\/index$/, "")}`;
        routes.push({
          pattern,
          file: full,
          match: compilePattern(pattern),
          dynamicSegments: (pattern.match(/\[/g) ?? []).length,
        });
      }
    }
  };
  walk(apiDir);
  return routes.sort(
    (a, b) => a.dynamicSegments - b.dynamicSegments || b.pattern.length - a.pattern.length,
  );
}
