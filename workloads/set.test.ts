// Set workload: no acknowledged element may be lost, no unexpected element may appear (and on
// etcd, whose transactions are strictly serializable, no read may be stale).

import { set } from 'jepsen-tikv'
import { expectSoundRun, workloadSuite } from 'jepsen-tikv/vitest'
import { expect } from 'vitest'

workloadSuite('set', async ({ options, faults, run }) => {
  const r = await run(set({ ...options, linearizable: options.db === 'etcd' }))
  expectSoundRun(r, faults)
  expect(r.run.dir).toBeValidSet({ linearizable: options.db === 'etcd' })
})
