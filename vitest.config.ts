// Two Vitest projects (DESIGN §2): `checker` runs without a cluster (checkers, generators,
// runner, parsers, reports); `workloads` provisions a cluster in globalSetup.ts and runs the
// workload files and the tests that need real nodes (`*.cluster.test.ts`) one file at a time.
// Every run also writes JUnit XML to reports/junit.xml for CI.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    reporters: ['default', ['junit', { outputFile: 'reports/junit.xml', addFileAttribute: true }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'checker',
          include: [
            'lib/**/*.test.ts',
            'checker/**/*.test.ts',
            'nemesis/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/*.cluster.test.ts', '**/node_modules/**'],
          setupFiles: ['checker/setup.ts'],
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'workloads',
          include: ['workloads/**/*.test.ts', '**/*.cluster.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['globalSetup.ts'],
          setupFiles: ['checker/setup.ts'],
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
})
