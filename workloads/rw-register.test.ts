// rw-register workload: register transactions checked like list-append.
import { expect } from 'vitest'
import { workloadSuite } from '../lib/workload/suite.ts'
import { LIST_APPEND_MODEL } from './list-append.ts'
import { rwRegister } from './rw-register.ts'

workloadSuite('rw-register', async ({ options, run }) => {
  const r = await run(rwRegister(options))
  expect(r.results.checkers.history.explanation).toMatch(/well formed/)
  expect(r.results.checkers.stats.valid, r.results.checkers.stats.explanation).toBe(true)
  await expect(r.run.dir).toBeConsistent({ models: [LIST_APPEND_MODEL[options.db]], workload: 'rw-register' })
})
