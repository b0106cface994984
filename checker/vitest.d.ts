// Types of the project's custom Vitest matchers (registered in checker/matchers.ts).
import type { ConsistencyMatcherOptions } from './elle/matcher.ts'

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match Vitest's own declaration of Matchers
  interface Matchers<T = any> {
    /** Elle-class transactional check (list-append / rw-register); async: await it. */
    toBeConsistent(opts?: ConsistencyMatcherOptions): Promise<T>
  }
}
