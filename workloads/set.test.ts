// Set workload: no acknowledged element may be lost, no unexpected element may appear (and on
// etcd, whose transactions are strictly serializable, no read may be stale).
import { expect } from 'vitest'
import { workloadSuite } from '../lib/workload/suite.ts'
import { set } from './set.ts'

workloadSuite('set', async ({ options, run }) => {
  const r = await run(set({ ...options, linearizable: options.db === 'etcd' }))
  expect(r.results.checkers.history.explanation).toMatch(/well formed/)
  expect(r.results.checkers.stats.valid, r.results.checkers.stats.explanation).toBe(true)
  expect(r.run.dir).toBeValidSet({ linearizable: options.db === 'etcd' })
})
