#!/usr/bin/env node
// Keeps a stored run as evidence (evidence/<target>/<name>/, re-checked by evidence/evidence.test.ts):
// history.jsonl.gz, test.json, results.json, and per node the version banner its PD and TiKV (or
// etcd) logged, so a reader can see which binaries ran without the full logs. With --table, prints
// the README table rows of every run kept under a target directory instead.
//
//   node scripts/keep-evidence.mjs <store-run-dir> <evidence-run-dir>
//   node scripts/keep-evidence.mjs --table evidence/<target>
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'

/** Log lines that identify the binary: PD's versioninfo, TiKV's welcome block, etcd's version. */
const BANNER =
  /versioninfo\.go|Welcome to TiKV|Release Version|Git Commit Hash|Rust Version|Enable Features|"etcd-version"/

function die(message) {
  console.error(`keep-evidence: ${message}`)
  process.exit(2)
}

function keep(from, to) {
  for (const f of ['history.jsonl', 'test.json', 'results.json'])
    if (!existsSync(join(from, f))) die(`${from} has no ${f}: not a finished run directory`)
  mkdirSync(join(to, 'nodes'), { recursive: true })
  writeFileSync(
    join(to, 'history.jsonl.gz'),
    gzipSync(readFileSync(join(from, 'history.jsonl')), { level: 9 }),
  )
  copyFileSync(join(from, 'test.json'), join(to, 'test.json'))
  copyFileSync(join(from, 'results.json'), join(to, 'results.json'))
  const nodes = existsSync(join(from, 'nodes')) ? readdirSync(join(from, 'nodes')) : []
  for (const node of nodes) {
    const parts = []
    for (const log of readdirSync(join(from, 'nodes', node))
      .filter((f) => f.endsWith('.log'))
      .sort()) {
      const lines = readFileSync(join(from, 'nodes', node, log), 'utf8').split('\n')
      const banner = lines.filter((l) => BANNER.test(l)).slice(0, 8)
      if (banner.length > 0) parts.push(`== ${log}`, ...banner)
    }
    if (parts.length > 0) writeFileSync(join(to, 'nodes', `${node}-log-head.txt`), `${parts.join('\n')}\n`)
  }
  console.log(`kept ${from} as ${to}`)
}

/** The option's shorthands (lib/config/options.ts) for fault lists that contain them whole. */
const SHORTHANDS = {
  partition: ['partition-one', 'partition-half', 'partition-ring', 'partition-bridge', 'partition-leader'],
  schedules: ['shuffle-leader', 'shuffle-region', 'random-merge'],
}

function shorthand(faults) {
  let out = [...faults]
  for (const [name, members] of Object.entries(SHORTHANDS))
    if (members.every((m) => out.includes(m))) {
      const at = out.indexOf(members[0])
      out = out.filter((f) => !members.includes(f))
      out.splice(at, 0, name)
    }
  return out
}

/** "2pc 40, async-commit 310 (89%)": how the ok transactions with a commit_ts committed. */
function commitModes(dir) {
  const counts = {}
  let committed = 0
  for (const line of gunzipSync(readFileSync(join(dir, 'history.jsonl.gz')))
    .toString('utf8')
    .split('\n')) {
    if (!line.includes('"commit"')) continue
    const op = JSON.parse(line)
    if (op.type !== 'ok' || op.ts?.commit === undefined) continue
    committed++
    const mode = op.ts.mode ?? 'unknown'
    counts[mode] = (counts[mode] ?? 0) + 1
  }
  if (committed === 0) return '–'
  return Object.entries(counts)
    .map(([m, n]) => `${m} ${n} (${Math.round((100 * n) / committed)}%)`)
    .join(', ')
}

/**
 * One README row: workload, faults, txn mode, provider, ops, ok/fail/info, ok per second of
 * workload, how the committed transactions committed, verdict, run.
 */
function row(dir, name) {
  const test = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8'))
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))
  const o = test.options
  const total = results.checkers.stats?.total ?? {}
  const txn = ['list-append', 'rw-register', 'bank', 'set', 'monotonic'].includes(test.workload)
    ? [o.txnMode, o.asyncCommit && 'async commit', o.onePc && '1PC'].filter(Boolean).join(', ')
    : '–'
  const word = (v) => (v === true ? 'valid' : v === false ? 'invalid' : String(v))
  const failing = Object.entries(results.checkers)
    .filter(([, r]) => r.valid !== true)
    .map(([c, r]) => `${c} ${word(r.valid)}`)
  const verdict = results.valid === true ? 'valid' : `**${word(results.valid)}** (${failing.join('; ')})`
  const faults = test.nemesis.length > 0 ? shorthand(test.nemesis).join(', ') : 'none'
  const rate = total.ok === undefined ? '?' : (total.ok / o.timeLimit).toFixed(1)
  return `| ${test.workload} | ${faults} | ${txn} | ${o.provider} | ${total.count ?? '?'} | ${total.ok ?? '?'}/${total.fail ?? '?'}/${total.info ?? '?'} | ${rate} | ${commitModes(dir)} | ${verdict} | ${name} |`
}

const args = process.argv.slice(2)
if (args[0] === '--table' && args.length === 2) {
  const root = args[1]
  console.log(
    '| workload | faults | txn mode | provider | ops | ok/fail/info | ok/s | commits | verdict | run |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|')
  for (const name of readdirSync(root).sort())
    if (existsSync(join(root, name, 'test.json'))) console.log(row(join(root, name), name))
} else if (args.length === 2 && !args[0].startsWith('-')) {
  keep(args[0], args[1])
} else {
  die('usage: keep-evidence.mjs <store-run-dir> <evidence-run-dir> | --table <evidence-target-dir>')
}
