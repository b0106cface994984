// writeReport(runDir): renders a store run (DESIGN §5) into a self-contained report.html that
// opens from disk with no network: uPlot's JS/CSS and the report's own browser code are inlined,
// the data is one JSON block, and links to node logs are relative to the run directory.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import { commitModes, describeCommitModes } from '../history/commit-modes.ts'
import { readHistory } from '../history/read.ts'
import { Run, type RunResults, type TestRecord } from '../run-store/store.ts'
import { availabilityView } from './availability.ts'
import { type CheckerView, checkerView } from './checkers.ts'
import { reportData } from './data.ts'
import { bytes, verdict } from './format.ts'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const eta = new Eta({ views: join(here, 'templates'), autoEscape: true, autoTrim: false, cache: true })

export interface LogLink {
  node: string
  files: { name: string; href: string; size: number }[]
}

/** Files of the run directory a reader may want, as relative links. */
function runFiles(dir: string): { name: string; href: string; size: number }[] {
  return ['history.jsonl', 'test.json', 'results.json', 'jepsen.log']
    .filter((f) => existsSync(join(dir, f)))
    .map((f) => ({ name: f, href: f, size: statSync(join(dir, f)).size }))
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  )
}

export function nodeLogs(runDir: string): LogLink[] {
  const nodes = join(runDir, 'nodes')
  if (!existsSync(nodes)) return []
  return readdirSync(nodes, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({
      node: e.name,
      files: walk(join(nodes, e.name))
        .sort()
        .map((p) => ({
          name: relative(join(nodes, e.name), p),
          href: relative(runDir, p),
          size: statSync(p).size,
        })),
    }))
}

/** Text safe inside a <script> element: no "</script" or "<!--" can end it early. */
export function scriptSafe(s: string): string {
  return s.replace(/<(\/script|!--)/gi, '\\u003c$1')
}

/** JSON safe inside <script type="application/json">. */
export function jsonScript(x: unknown): string {
  return JSON.stringify(x).replace(/</g, '\\u003c')
}

let assets: { css: string; js: string } | undefined
function inlineAssets(): { css: string; js: string } {
  if (!assets) {
    const uplotDir = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'))
    const read = (p: string) => readFileSync(p, 'utf8')
    assets = {
      css: [read(join(uplotDir, 'uPlot.min.css')), read(join(here, 'client', 'report.css'))].join('\n'),
      js: [
        read(join(uplotDir, 'uPlot.iife.min.js')),
        read(join(here, 'client', 'timeline.js')),
        read(join(here, 'client', 'plots.js')),
        read(join(here, 'client', 'main.js')),
      ]
        .map(scriptSafe)
        .join('\n;\n'),
    }
  }
  return assets
}

/** The transaction options a run used ("optimistic, async commit, 1PC; checked in timestamp order"). */
export function transactionOptions(options: Record<string, unknown> | undefined): string | undefined {
  if (!options) return undefined
  const parts =
    options.db === 'tikv'
      ? [
          String(options.txnMode ?? 'optimistic'),
          ...(options.asyncCommit === true ? ['async commit'] : []),
          ...(options.onePc === true ? ['1PC'] : []),
        ]
      : []
  const order = options.timestampOrder === true ? 'checked in timestamp order' : ''
  return [parts.join(', '), order].filter(Boolean).join('; ') || undefined
}

/** The ops checkers single out, to highlight on the timeline. */
function checkerMarks(checkers: CheckerView[]): { index: number; label: string }[] {
  return checkers.flatMap((c) => [
    ...c.linearization.flatMap((l) =>
      l.op?.index !== undefined ? [{ index: l.op.index, label: `${c.name}: cannot be linearized` }] : [],
    ),
    ...c.anomalies.flatMap((a) =>
      a.txns
        .filter((t) => /^\d+$/.test(t.op))
        .map((t) => ({ index: Number(t.op), label: `${a.type}: ${t.name}` })),
    ),
  ])
}

export interface ReportInput {
  runDir: string
  test?: TestRecord
  results?: RunResults
  history: Parameters<typeof reportData>[0]
}

/** The report's HTML for a run whose parts are already loaded. */
export function renderReport(input: ReportInput): string {
  const { test, results, runDir } = input
  const concurrency = Number(test?.options?.concurrency)
  const h = input.history
  const lookup = (i: number) => (h[i]?.index === i ? h[i] : h.find((op) => op.index === i))
  const checkers: CheckerView[] = Object.entries(results?.checkers ?? {}).map(([n, r]) =>
    checkerView(n, r, lookup),
  )
  const data = reportData(h, {
    concurrency: Number.isInteger(concurrency) ? concurrency : undefined,
    marks: checkerMarks(checkers),
  })
  const { css, js } = inlineAssets()
  return eta.render('report', {
    title: test ? `${test.name} — ${test.startedAt}` : relative(dirname(dirname(runDir)), runDir),
    test,
    valid: results?.valid,
    checkers,
    availability: availabilityView(results),
    hasResults: results !== undefined,
    files: runFiles(runDir),
    logs: nodeLogs(runDir),
    transactions: transactionOptions(test?.options),
    commits: describeCommitModes(commitModes(h)),
    stats: {
      ops: input.history.length,
      calls: data.timeline.start.length,
      duration: data.duration,
      faults: data.periods.length,
    },
    css,
    js,
    data: jsonScript(data),
    verdict,
    bytes,
  })
}

/** Renders `runDir`'s history, test.json and results.json into runDir/report.html; returns its path. */
export function writeReport(runDir: string): string {
  const run = new Run(runDir)
  if (!existsSync(run.historyPath)) throw new Error(`writeReport: ${run.historyPath} does not exist`)
  const html = renderReport({
    runDir,
    test: run.readTest(),
    results: run.readResults(),
    history: readHistory(run.historyPath),
  })
  writeFileSync(run.reportPath, html)
  return run.reportPath
}
