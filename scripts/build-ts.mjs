#!/usr/bin/env node
// Compiles the package (DESIGN §11) into dist/: ESM JavaScript with .d.ts and source maps
// (sources inlined), from the entries (entries/*.ts), the CLI and the checker's worker thread;
// tsc rewrites the sources' `.ts` import suffixes to `.js`. The report's and the results
// browser's templates and client files are copied beside their modules, which read them at run
// time. dist/ is rebuilt from scratch. Usage: npm run build:ts (npm pack runs it).
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const ASSETS = ['lib/report/templates', 'lib/report/client', 'lib/serve/templates']

if (!existsSync(join(root, 'lib/client/generated'))) {
  console.error('build-ts: lib/client/generated/ is missing; run "npm run gen:proto" first')
  process.exit(1)
}
rmSync(dist, { recursive: true, force: true })
try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  })
} catch {
  console.error('build-ts: tsc failed (errors above)')
  process.exit(1)
}
for (const dir of ASSETS) cpSync(join(root, dir), join(dist, dir), { recursive: true })
console.log(`build-ts: ${dist}`)
