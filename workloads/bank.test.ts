// Bank workload: every read of all balances sums to the initial total, with no negative balance.
import { expect } from 'vitest'
import { expectSoundRun, workloadSuite } from '../lib/workload/suite.ts'
import { ACCOUNTS, bank, INITIAL } from './bank.ts'

workloadSuite('bank', async ({ options, faults, run }) => {
  const r = await run(bank(options))
  expectSoundRun(r, faults)
  expect(r.run.dir).toConserveBalances({
    total: ACCOUNTS * INITIAL,
    accounts: Array.from({ length: ACCOUNTS }, (_, a) => a),
  })
})
