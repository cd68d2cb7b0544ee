import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Checks that take minutes (redeployment across releases, chaos runs) live in tests/long and run
    // with `npm run test:long` (vitest.long.config.ts), which .ci/run calls after `npm test`.
    exclude: ["tests/long/**", "**/node_modules/**"],
    // Integration tests spawn anvil, Postgres databases and host processes; keep parallelism modest
    // on a 2-core machine and give real services room.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { LOG_LEVEL: "silent", NODE_ENV: "test" },
  },
});
