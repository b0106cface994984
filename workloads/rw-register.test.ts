// rw-register workload: register transactions checked like list-append.
import { expect } from 'vitest'
import { expectSoundRun, workloadSuite } from '../lib/workload/suite.ts'
import { LIST_APPEND_MODEL } from './list-append.ts'
import { rwRegister } from './rw-register.ts'

workloadSuite('rw-register', async ({ options, faults, run }) => {
  const r = await run(rwRegister(options))
  expectSoundRun(r, faults)
  await expect(r.run.dir).toBeConsistent({
    models: [LIST_APPEND_MODEL[options.db]],
    workload: 'rw-register',
    timestampOrder: options.timestampOrder,
  })
})
