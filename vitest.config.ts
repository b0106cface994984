// Two Vitest projects (DESIGN §2): `checker` runs without a cluster (checkers, generators,
// runner, parsers, reports); `workloads` provisions a cluster in its globalSetup and runs the
// workload files and the tests that need real nodes (`*.cluster.test.ts`) one file at a time.
// Every run also writes JUnit XML to reports/junit.xml for CI. Both use the package's own
// entries as a user's config does (setupFiles 'jepsen-tikv/vitest', globalSetup
// 'jepsen-tikv/global-setup'), taken from package.json's exports map under its
// `jepsen-tikv-source` condition: the TypeScript sources instead of dist/, so the tests need no
// build. The same condition resolves the test files' imports of 'jepsen-tikv' and its subpaths.
import { defineConfig } from 'vitest/config'
import pkg from './package.json' with { type: 'json' }

const SOURCE = 'jepsen-tikv-source'
/** The file a package entry ('./vitest', ...) resolves to under the source condition. */
const entry = (subpath: Exclude<keyof typeof pkg.exports, './package.json'>) => pkg.exports[subpath][SOURCE]

export default defineConfig({
  ssr: { resolve: { conditions: [SOURCE] } },
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
            'evidence/**/*.test.ts',
          ],
          exclude: ['**/*.cluster.test.ts', '**/node_modules/**'],
          setupFiles: [entry('./vitest')],
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'workloads',
          include: ['workloads/**/*.test.ts', '**/*.cluster.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: [entry('./global-setup')],
          setupFiles: [entry('./vitest')],
          fileParallelism: false,
          testTimeout: 900_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
})
