// Monotonic workload: counters never go back in the transactions' timestamp order (TiKV
// start/commit ts, etcd revisions).
import { monotonic } from 'jepsen-tikv'
import { expectSoundRun, workloadSuite } from 'jepsen-tikv/vitest'
import { expect } from 'vitest'

workloadSuite('monotonic', async ({ options, faults, run }) => {
  const r = await run(monotonic(options))
  expectSoundRun(r, faults)
  expect(r.run.dir).toBeMonotonic()
})
