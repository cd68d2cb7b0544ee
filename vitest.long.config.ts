import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

/** The long checks (tests/long): minutes each, so they run after `npm test` in .ci/run. */
export default mergeConfig(base, {
  test: {
    include: ["tests/long/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
