// Monotonic workload: counters never go back in the transactions' timestamp order (TiKV
// start/commit ts, etcd revisions).
import { expect } from 'vitest'
import { expectSoundRun, workloadSuite } from '../lib/workload/suite.ts'
import { monotonic } from './monotonic.ts'

workloadSuite('monotonic', async ({ options, faults, run }) => {
  const r = await run(monotonic(options))
  expectSoundRun(r, faults)
  expect(r.run.dir).toBeMonotonic()
})
