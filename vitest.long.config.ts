import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The long checks (tests/long): minutes each, so they run after `npm test` in .ci/run. Spread, not
 * mergeConfig: mergeConfig concatenates arrays, which kept the base's tests/long exclusion (no long
 * test ran) and its include (the whole quick suite ran again).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["tests/long/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
