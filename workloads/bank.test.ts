// Bank workload: every read of all balances sums to the initial total, with no negative balance.

import { ACCOUNTS, bank, INITIAL } from 'jepsen-tikv'
import { expectSoundRun, workloadSuite } from 'jepsen-tikv/vitest'
import { expect } from 'vitest'

workloadSuite('bank', async ({ options, faults, run }) => {
  const r = await run(bank(options))
  expectSoundRun(r, faults)
  expect(r.run.dir).toConserveBalances({
    total: ACCOUNTS * INITIAL,
    accounts: Array.from({ length: ACCOUNTS }, (_, a) => a),
  })
})
