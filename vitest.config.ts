import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Tests start real servers, SQLite files and child processes: forks isolate native handles.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
