import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hang guards, not timings: a loaded two-core machine runs the heavy cases several times slower.
    testTimeout: 60_000,
    // Progress lines depend on how long a stage takes: off in every command a test runs, so that
    // stderr is the same on a loaded machine; test/cli-focus.test.ts turns it on where it is the subject.
    env: { XACCT_PROGRESS: "never" },
    hookTimeout: 60_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line; a second run
    // (.ci/run's on Node 24) names a file of its own in XACCT_TEST_REPORT, not to overwrite the first.
    reporters: ["default", ["json", { outputFile: process.env.XACCT_TEST_REPORT ?? "test-output/vitest.json" }]],
  },
});
