// Re-checks every kept evidence run (evidence/<target>/<run>/: history.jsonl.gz, test.json,
// results.json) with today's checkers and asserts the verdict stored when the run was made, per
// checker, so the evidence stays true as the checkers change (DESIGN §10).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { parseHistory } from '../lib/history/read.ts'
import { checkRunHistory } from '../lib/workload/run.ts'
import type { Workload, WorkloadOptions } from '../lib/workload/workload.ts'
import { bank } from '../workloads/bank.ts'
import { listAppend } from '../workloads/list-append.ts'
import { monotonic } from '../workloads/monotonic.ts'
import { register } from '../workloads/register.ts'
import { rwRegister } from '../workloads/rw-register.ts'
import { set } from '../workloads/set.ts'

type Options = WorkloadOptions & { db: 'tikv' | 'etcd' }

const WORKLOADS: Record<string, (o: Options) => Workload> = {
  register: (o) => register(o),
  set: (o) => set({ ...o, linearizable: o.db === 'etcd' }),
  'list-append': (o) => listAppend(o),
  'rw-register': (o) => rwRegister(o),
  bank: (o) => bank(o),
  monotonic: (o) => monotonic(o),
}

const ROOT = import.meta.dirname
const runs = readdirSync(ROOT, { withFileTypes: true })
  .filter((t) => t.isDirectory())
  .flatMap((t) =>
    readdirSync(join(ROOT, t.name), { withFileTypes: true })
      .filter((r) => r.isDirectory())
      .map((r) => join(t.name, r.name)),
  )

describe('kept evidence runs re-check to their stored verdicts', () => {
  test('there is evidence to re-check', () => {
    expect(runs.length).toBeGreaterThan(0)
  })

  test.each(runs)('%s', async (run) => {
    const dir = join(ROOT, run)
    const meta = JSON.parse(readFileSync(join(dir, 'test.json'), 'utf8'))
    const stored = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))
    const history = parseHistory(
      gunzipSync(readFileSync(join(dir, 'history.jsonl.gz'))).toString('utf8'),
      run,
    )
    const make = WORKLOADS[meta.workload]
    expect(make, `workload ${meta.workload} of ${run}`).toBeDefined()
    const checks = await checkRunHistory(make({ ...meta.options, db: meta.db }), history)
    for (const [name, result] of Object.entries(checks)) {
      expect(result.valid, `${run}: checker ${name}`).toBe(stored.checkers[name].valid)
    }
  })
})
