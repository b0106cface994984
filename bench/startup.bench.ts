// Whole-process start-up and checking, as a user runs them: `jepsen-tikv analyze` (the compiled
// bin) on one small history (11 ops: start-up alone), on Porcupine's 103 etcd logs and on its kv c50-ok / c50-bad, in
// runs paired with an in-run baseline: `node -e ''` (a bare Node process), the same CLI run
// from the TypeScript sources through tsx (how the bin ran before the package was compiled),
// and, when PORCUPINE_TEST_BIN names a Porcupine test binary (`go test -c` in a Porcupine
// checkout), Porcupine's own tests on the same files. Each row is the median of paired runs.
// "node / Porcupine" is the floor of "ours / Porcupine": a Node process that runs nothing.
// When NODE_EXTRA_CA_CERTS is set, every Node process parses those certificates before it runs
// any JavaScript (a full system bundle costs tens of milliseconds), so a second table repeats
// the bare Node process and the bin without it, paired with the same Porcupine runs.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { reference } from '../lib/history/testing/reference.ts'
import type { BenchSection } from './main.ts'

const ROOT = join(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin/jepsen-tikv.mjs')
const PORCUPINE = process.env.PORCUPINE_TEST_BIN
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS
const WITHOUT_EXTRA_CA = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'),
)

/** Wall-clock seconds of one process run (its exit code is not judged: invalid histories exit 1). */
function seconds(cmd: string, args: string[], cwd = ROOT, env = process.env): number {
  const t = performance.now()
  const r = spawnSync(cmd, args, { cwd, env, stdio: 'ignore' })
  if (r.error) throw r.error
  return (performance.now() - t) / 1000
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const s = (x: number) => Number(x.toFixed(3))

interface Case {
  name: string
  args: string[]
  /** Porcupine's test for the same input (-test.run pattern). */
  porcupine?: string
}

export default async function (): Promise<BenchSection[]> {
  if (!existsSync(join(ROOT, 'dist/cli/main.js')))
    return [{ title: 'startup', rows: [], notes: ['dist/ is missing: run "npm run build:ts" first'] }]
  const etcd = Array.from({ length: 103 }, (_, i) =>
    reference(`porcupine/test_data/jepsen/etcd_${String(i).padStart(3, '0')}.log`),
  )
  const cases: Case[] = [
    {
      name: 'one small history (cas-register-bug.edn)',
      args: ['analyze', reference('knossos/data/cas-register/good/cas-register-bug.edn')],
    },
    { name: '103 etcd logs', args: ['analyze', ...etcd], porcupine: '^TestEtcdJepsen' },
    {
      name: 'kv c50-ok',
      args: ['analyze', '--model', 'kv', reference('porcupine/test_data/kv/c50-ok.txt')],
      porcupine: '^TestKv50ClientsOk$',
    },
    {
      name: 'kv c50-bad',
      args: ['analyze', '--model', 'kv', reference('porcupine/test_data/kv/c50-bad.txt')],
      porcupine: '^TestKv50ClientsBad$',
    },
  ]
  const rows: Record<string, string | number>[] = []
  const bareRows: Record<string, string | number>[] = []
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2))
  for (const c of cases) {
    const node: number[] = []
    const ours: number[] = []
    const tsx: number[] = []
    const porc: number[] = []
    const bareNode: number[] = []
    const bareOurs: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      node.push(seconds(process.execPath, ['-e', '']))
      ours.push(seconds(process.execPath, [BIN, ...c.args]))
      tsx.push(seconds(process.execPath, ['--import', 'tsx', join(ROOT, 'lib/cli/main.ts'), ...c.args]))
      if (PORCUPINE && c.porcupine)
        porc.push(seconds(PORCUPINE, ['-test.run', c.porcupine], reference('porcupine')))
      if (EXTRA_CA) {
        bareNode.push(seconds(process.execPath, ['-e', ''], ROOT, WITHOUT_EXTRA_CA))
        bareOurs.push(seconds(process.execPath, [BIN, ...c.args], ROOT, WITHOUT_EXTRA_CA))
      }
    }
    const row: Record<string, string | number> = {
      input: c.name,
      'node -e "" s': s(median(node)),
      'jepsen-tikv s': s(median(ours)),
      'ours / node': ratio(median(ours), median(node)),
      'via tsx s': s(median(tsx)),
      'tsx / ours': ratio(median(tsx), median(ours)),
    }
    const bare: Record<string, string | number> = {
      input: c.name,
      'node -e "" s': s(median(bareNode)),
      'jepsen-tikv s': s(median(bareOurs)),
      'ours / node': ratio(median(bareOurs), median(bareNode)),
    }
    if (porc.length) {
      row['Porcupine s'] = s(median(porc))
      row['ours / Porcupine'] = ratio(median(ours), median(porc))
      row['node / Porcupine'] = ratio(median(node), median(porc))
      bare['Porcupine s'] = s(median(porc))
      bare['ours / Porcupine'] = ratio(median(bareOurs), median(porc))
      bare['node / Porcupine'] = ratio(median(bareNode), median(porc))
    } else row['Porcupine s'] = bare['Porcupine s'] = c.porcupine ? 'no binary' : '—'
    rows.push(row)
    bareRows.push(bare)
  }
  const sections: BenchSection[] = [
    {
      title: `startup: whole processes, median of ${ROUNDS} paired runs`,
      rows,
      notes: [
        PORCUPINE
          ? `Porcupine: ${PORCUPINE} -test.run PATTERN in testdata/porcupine (its own Go tests on the same files)`
          : 'Porcupine: none measured (no PORCUPINE_TEST_BIN; build one with `go test -c` in a Porcupine checkout)',
        "node / Porcupine: a Node process that runs nothing, against Porcupine's whole run (the floor of ours / Porcupine)",
        'the machine is shared: compare the ratios, which pair runs taken moments apart',
      ],
    },
  ]
  if (EXTRA_CA)
    sections.push({
      title: `startup without NODE_EXTRA_CA_CERTS (set here to ${EXTRA_CA}), paired with the runs above`,
      rows: bareRows,
      notes: [
        'Node parses NODE_EXTRA_CA_CERTS before running any JavaScript; these runs leave it out of the environment',
      ],
    })
  return sections
}
