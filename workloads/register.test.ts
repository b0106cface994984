// Register workload: every key's history must be linearizable (cas-register model).
import { expect } from 'vitest'
import { expectSoundRun, workloadSuite } from '../lib/workload/suite.ts'
import { register } from './register.ts'

workloadSuite('register', async ({ options, faults, run }) => {
  const r = await run(register(options))
  expectSoundRun(r, faults)
  await expect(r.run.dir).toBeLinearizable({ model: 'cas-register' })
})
