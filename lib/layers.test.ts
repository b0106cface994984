// The layers of DESIGN §11, read from the import statements in the tree: the ground (history,
// generator, runner, control, cluster, db, client, config) imports nothing from the nemesis,
// the checkers or the suite (workload, report, serve, cli, run-store, the package entries,
// workloads/); nemesis/ and checker/ import nothing from the suite; no module imports itself
// back through others (no import cycles); and the package's public surface is its exports map,
// which points only into entries/ and the top-level globalSetup.ts.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { expect, test } from 'vitest'
import pkg from '../package.json' with { type: 'json' }

const ROOT = join(import.meta.dirname, '..')
const SOURCES = ['entries', 'lib', 'checker', 'nemesis', 'workloads']

function sourceFiles(): string[] {
  return [
    'globalSetup.ts',
    ...SOURCES.flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('generated'))
        .map((e) => relative(ROOT, join(e.parentPath, e.name))),
    ),
  ]
}

/** Files a module imports (relative specifiers resolved; 'jepsen-tikv[/x]' is entries/). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] ?? m[2])
  return specs.flatMap((s) => {
    if (s.startsWith('.')) return [normalize(join(dirname(file), s))]
    if (s === 'jepsen-tikv' || s.startsWith('jepsen-tikv/')) return ['entries/']
    return []
  })
}

const GROUND = /^lib\/(history|generator|runner|control|cluster|db|client|config)\//
const FAULTS_AND_CHECKERS = /^(nemesis|checker)\//
const SUITE = /^(lib\/(workload|report|serve|cli|run-store)\/|entries\/|workloads\/|globalSetup\.ts$)/
const layer = (f: string) => (GROUND.test(f) ? 0 : FAULTS_AND_CHECKERS.test(f) ? 1 : SUITE.test(f) ? 2 : -1)

const files = sourceFiles()
const graph = new Map(files.map((f) => [f, importsOf(f)]))

test('every source file belongs to a layer', () => {
  expect(files.filter((f) => layer(f) < 0 && !f.startsWith('lib/layers'))).toEqual([])
})

test('no import runs from a lower layer to a higher one', () => {
  const upward = [...graph].flatMap(([f, deps]) =>
    deps.filter((d) => layer(f) >= 0 && layer(d) > layer(f)).map((d) => `${f} -> ${d}`),
  )
  expect(upward).toEqual([])
})

test('no import cycles', () => {
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '))
      return
    }
    state.set(f, 'open')
    for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d, [...path, f])
    state.set(f, 'done')
  }
  for (const f of files) visit(f, [])
  expect(cycles).toEqual([])
})

test('the exports map is the public surface: each entry points into entries/ (or globalSetup.ts) and its build in dist/', () => {
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (subpath === './package.json') continue
    const t = target as Record<string, string>
    expect(t['jepsen-tikv-source'], subpath).toMatch(/^\.\/(entries\/[\w-]+|globalSetup)\.ts$/)
    expect(t.default, subpath).toBe(t['jepsen-tikv-source'].replace('./', './dist/').replace(/\.ts$/, '.js'))
    expect(t.types, subpath).toBe(t.default.replace(/\.js$/, '.d.ts'))
  }
})
