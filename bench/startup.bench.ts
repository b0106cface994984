// Whole-process start-up and checking, as a user runs them: `jepsen-tikv analyze` (the compiled
// bin) on one small history (11 ops: start-up alone), on Porcupine's 103 etcd logs and on its kv c50-ok / c50-bad, in
// runs paired with an in-run baseline: `node -e ''` (a bare Node process), the same CLI run
// from the TypeScript sources through tsx (how the bin ran before the package was compiled),
// and, when PORCUPINE_TEST_BIN names a Porcupine test binary (`go test -c` in a Porcupine
// checkout), Porcupine's own tests on the same files. Each row is the median of paired runs.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { reference } from '../lib/history/testing/reference.ts'
import type { BenchSection } from './main.ts'

const ROOT = join(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin/jepsen-tikv.mjs')
const PORCUPINE = process.env.PORCUPINE_TEST_BIN
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

/** Wall-clock seconds of one process run (its exit code is not judged: invalid histories exit 1). */
function seconds(cmd: string, args: string[], cwd = ROOT): number {
  const t = performance.now()
  const r = spawnSync(cmd, args, { cwd, stdio: 'ignore' })
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
  for (const c of cases) {
    const node: number[] = []
    const ours: number[] = []
    const tsx: number[] = []
    const porc: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      node.push(seconds(process.execPath, ['-e', '']))
      ours.push(seconds(process.execPath, [BIN, ...c.args]))
      tsx.push(seconds(process.execPath, ['--import', 'tsx', join(ROOT, 'lib/cli/main.ts'), ...c.args]))
      if (PORCUPINE && c.porcupine)
        porc.push(seconds(PORCUPINE, ['-test.run', c.porcupine], reference('porcupine')))
    }
    const row: Record<string, string | number> = {
      input: c.name,
      'node -e "" s': s(median(node)),
      'jepsen-tikv s': s(median(ours)),
      'ours / node': Number((median(ours) / median(node)).toFixed(2)),
      'via tsx s': s(median(tsx)),
      'tsx / ours': Number((median(tsx) / median(ours)).toFixed(2)),
    }
    if (porc.length) {
      row['Porcupine s'] = s(median(porc))
      row['ours / Porcupine'] = Number((median(ours) / median(porc)).toFixed(2))
    } else row['Porcupine s'] = c.porcupine ? 'no binary' : '—'
    rows.push(row)
  }
  return [
    {
      title: `startup: whole processes, median of ${ROUNDS} paired runs`,
      rows,
      notes: [
        PORCUPINE
          ? `Porcupine: ${PORCUPINE} -test.run PATTERN in testdata/porcupine (its own Go tests on the same files)`
          : 'Porcupine: none measured (no PORCUPINE_TEST_BIN; build one with `go test -c` in a Porcupine checkout)',
        'the machine is shared: compare the ratios, which pair runs taken moments apart',
      ],
    },
  ]
}
