// `jepsen-tikv/jest`: the verdict matchers for Jest. Load it as a setup file
// (setupFilesAfterEnv: ['jepsen-tikv/jest']) or import it in a test file: it registers the
// matchers with Jest's global expect. They behave as under Vitest: the same messages, `.not`,
// and "unknown" failing both ways; toBeLinearizable and toBeConsistent are async (await them).
// The package is ESM: run Jest with NODE_OPTIONS=--experimental-vm-modules.
// Jest's own matcher types (@jest/globals), augmented below.
import type {} from 'expect'
import { matchers, type VerdictMatchers } from '../checker/matchers.ts'

interface JestExpect {
  extend(m: typeof matchers): void
}

const jestExpect = (globalThis as { expect?: Partial<JestExpect> }).expect
if (typeof jestExpect?.extend !== 'function')
  throw new Error(
    'jepsen-tikv/jest registers matchers with Jest\'s global expect, and there is none: load it from Jest (setupFilesAfterEnv: ["jepsen-tikv/jest"] or an import in a test file); under Vitest use jepsen-tikv/vitest',
  )
jestExpect.extend(matchers)

export { matchers }

declare global {
  namespace jest {
    // biome-ignore lint/complexity/noBannedTypes: must match @types/jest's declaration of Matchers
    interface Matchers<R, T = {}> extends VerdictMatchers<R> {}
  }
}

declare module 'expect' {
  // Jest 30's own types (@jest/globals): R is void or Promise<void>.
  interface Matchers<R extends void | Promise<void>, T = unknown> extends VerdictMatchers<R> {}
}
