// Bank workload: every read of all balances sums to the initial total, with no negative balance.
import { expect } from 'vitest'
import { workloadSuite } from '../lib/workload/suite.ts'
import { ACCOUNTS, bank, INITIAL } from './bank.ts'

workloadSuite('bank', async ({ options, run }) => {
  const r = await run(bank(options))
  expect(r.results.checkers.history.explanation).toMatch(/well formed/)
  expect(r.results.checkers.stats.valid, r.results.checkers.stats.explanation).toBe(true)
  expect(r.run.dir).toConserveBalances({
    total: ACCOUNTS * INITIAL,
    accounts: Array.from({ length: ACCOUNTS }, (_, a) => a),
  })
})
