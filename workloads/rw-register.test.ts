// rw-register workload: register transactions checked like list-append.

import { LIST_APPEND_MODEL, rwRegister } from 'jepsen-tikv'
import { expectSoundRun, workloadSuite } from 'jepsen-tikv/vitest'
import { expect } from 'vitest'

workloadSuite('rw-register', async ({ options, faults, run }) => {
  const r = await run(rwRegister(options))
  expectSoundRun(r, faults)
  await expect(r.run.dir).toBeConsistent({
    models: [LIST_APPEND_MODEL[options.db]],
    workload: 'rw-register',
    timestampOrder: options.timestampOrder,
  })
})
