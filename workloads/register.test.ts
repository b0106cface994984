// Register workload: every key's history must be linearizable (cas-register model).

import { register } from 'jepsen-tikv'
import { expectSoundRun, workloadSuite } from 'jepsen-tikv/vitest'
import { expect } from 'vitest'

workloadSuite('register', async ({ options, faults, run }) => {
  const r = await run(register(options))
  expectSoundRun(r, faults)
  await expect(r.run.dir).toBeLinearizable({ model: 'cas-register' })
})
