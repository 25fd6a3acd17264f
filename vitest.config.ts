import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/temp-dirs.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // real Codex processes: keep the 2-core machine from oversubscribing
    maxWorkers: 2,
  },
});
