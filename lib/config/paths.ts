// Where things are, the same from the TypeScript sources (a clone) and from the compiled package
// (dist/ inside node_modules): the package root (README, rust-client-server/, vitest.config.ts)
// and the store, which is the user's: `store/` under the current directory, or $JEPSEN_STORE.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const DEFAULT_STORE = resolve(process.env.JEPSEN_STORE ?? 'store')

/** The nearest directory above this module whose package.json is jepsen-tikv's. */
function packageRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'jepsen-tikv'
    )
      return dir
  }
  throw new Error(`cannot find jepsen-tikv's package.json above ${from}`)
}

// From import.meta.url, not import.meta.dirname: Jest's ESM runtime provides only the former.
export const PACKAGE_ROOT = packageRoot(fileURLToPath(new URL('.', import.meta.url)))
