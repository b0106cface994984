// Register workload: every key's history must be linearizable (cas-register model).
import { expect } from 'vitest'
import { workloadSuite } from '../lib/workload/suite.ts'
import { register } from './register.ts'

workloadSuite('register', async ({ options, run }) => {
  const r = await run(register(options))
  expect(r.results.checkers.history.explanation).toMatch(/well formed/)
  expect(r.results.checkers.stats.valid, r.results.checkers.stats.explanation).toBe(true)
  await expect(r.run.dir).toBeLinearizable({ model: 'cas-register' })
})
