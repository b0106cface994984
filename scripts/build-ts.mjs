#!/usr/bin/env node
// Compiles the package (DESIGN §11) into dist/: ESM JavaScript with .d.ts and source maps
// (sources inlined), from the entries (entries/*.ts), the CLI and the checker's worker thread;
// tsc rewrites the sources' `.ts` import suffixes to `.js`. The report's and the results
// browser's templates and client files are copied beside their modules, which read them at run
// time. dist/ is rebuilt from scratch. Usage: npm run build:ts (npm pack runs it).
//
// The bin runs dist/cli/main.js: the CLI bundled by esbuild into one ESM file, so that
// `jepsen-tikv analyze` reads one file of ours instead of one per module (start-up is most of
// checking a small history). Only what `analyze` needs is bundled: the dispatcher, `analyze`,
// the history reader and the checkers (their code runs only when analyze imports them), and the
// linearizability worker thread (dist/cli/worker.js, beside main.js, which starts it). The
// other subcommands (`test`, `teardown`, `serve`) are imported from tsc's output, where the
// report and the results browser find their templates; npm packages stay external, so commander
// is loaded once, by require (lib/cli/commander.ts), from the bundle and from those modules
// alike.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

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

const TSC_SUBCOMMANDS = /^\.\/(test|teardown|serve)\.ts$/
try {
  await build({
    entryPoints: {
      main: join(root, 'lib/cli/main.ts'),
      worker: join(root, 'checker/linearizable/worker.ts'),
    },
    outdir: join(dist, 'cli'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [
      {
        name: 'tsc-subcommands',
        setup(b) {
          b.onResolve({ filter: TSC_SUBCOMMANDS }, (a) =>
            a.importer === join(root, 'lib/cli/main.ts')
              ? { path: `../lib/cli/${TSC_SUBCOMMANDS.exec(a.path)[1]}.js`, external: true }
              : undefined,
          )
        },
      },
    ],
  })
} catch {
  console.error('build-ts: esbuild failed to bundle the CLI (errors above)')
  process.exit(1)
}
console.log(`build-ts: ${dist}`)
