// `jepsen-tikv/vitest`: a Vitest setup file (setupFiles: ['jepsen-tikv/vitest']) that registers
// the verdict matchers and declares their types, plus the workload-suite helpers for workload
// test files. A matcher fails on "unknown" with and without .not, and its message is the
// checker's explanation with the history's path and report.
import { expect } from 'vitest'
import { matchers, type VerdictMatchers } from '../checker/matchers.ts'

expect.extend(matchers)

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match Vitest's own declaration of Matchers
  interface Matchers<T = any> extends VerdictMatchers<T> {}
}

export type {
  BankOptions,
  ConsistencyMatcherOptions,
  LinearizableMatcherOptions,
  SetFullOptions,
} from '../checker/matchers.ts'
export {
  attachRun,
  expectSoundRun,
  faultLabel,
  verdictLine,
  type WorkloadTestContext,
  workloadSuite,
} from '../lib/workload/suite.ts'
