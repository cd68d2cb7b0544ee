import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

test("error: `npm run bench <unknown>` exits non-zero and lists the benchmarks that exist", () => {
  const result = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "nosuch"], {
    cwd: root,
    encoding: "utf8",
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/Unknown benchmark: nosuch/);
  expect(result.stderr).toMatch(/Benchmarks: .*\bgrammar\b.*\bruns\b/);
  expect(result.stdout).not.toMatch(/running /);
});
