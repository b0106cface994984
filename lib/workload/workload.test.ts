// Transaction options a workload derives from the test options.
import { expect, test } from 'vitest'
import { txnOptions } from './workload.ts'

test('pessimistic transactions read with locks; optimistic ones do not', () => {
  // Without locking reads, TiKV's pessimistic mode lost updates in the first live bank run.
  expect(txnOptions({ txnMode: 'pessimistic', asyncCommit: false, onePc: false }).lockReads).toBe(true)
  expect(txnOptions({ txnMode: 'optimistic', asyncCommit: true, onePc: false })).toEqual({
    mode: 'optimistic',
    lockReads: false,
    asyncCommit: true,
    onePc: false,
  })
})
