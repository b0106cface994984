#!/usr/bin/env node
// Package bin: runs the compiled CLI, bundled into dist/cli/ (built by `npm run build:ts`; `npm
// pack` builds it). In a clone, run `npm run build:ts` after changing the sources, or run them
// directly with `npx tsx lib/cli/main.ts`.
import { existsSync } from 'node:fs'

const main = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(main)) {
  console.error(
    'jepsen-tikv: the compiled CLI (dist/cli/main.js) is missing; in a clone of the repository run "npm run build:ts" first',
  )
  process.exit(3)
}
await import(main.href)
