// The bank workload: ACCOUNTS accounts start with INITIAL each; clients transfer random amounts
// between two accounts in an interactive transaction (read both balances, refuse an overdraft,
// write both, commit) and read all balances in one transaction; both carry the transaction's
// timestamps. Every read must sum to the initial total with no negative balance
// (checker/bank.ts). `splitTransfers` (calibration only: workloads/calibrations.test.ts, never an
// option) debits and credits in two separate transactions, so a read in between sees money
// missing.
import { setTimeout } from 'node:timers/promises'
import { checkBank } from '../checker/bank.ts'
import type { ClientServerClient, ElleMicroOp, TxnOptions } from '../lib/client/client.ts'
import { mix } from '../lib/generator/control.ts'
import type { GenFn } from '../lib/generator/core.ts'
import type { Completion } from '../lib/runner/client.ts'
import { interactiveTxn, TxnAbort } from '../lib/workload/interactive.ts'
import { keyspace, txnOptions, type Workload, type WorkloadOptions } from '../lib/workload/workload.ts'

export const ACCOUNTS = 5
export const INITIAL = 20
const MAX_TRANSFER = 5
const SETUP_ATTEMPTS = 10

interface Transfer {
  from: number
  to: number
  amount: number
}

const transfer: GenFn = (ctx) => {
  const from = ctx.rng.int(ACCOUNTS)
  const to = (from + 1 + ctx.rng.int(ACCOUNTS - 1)) % ACCOUNTS
  return { f: 'transfer', value: { from, to, amount: 1 + ctx.rng.int(MAX_TRANSFER) } }
}
const read: GenFn = () => ({ f: 'read', value: null })

/**
 * One transfer: read both balances, refuse an overdraft, write both; or, split, the debit's
 * transaction and then the credit's.
 */
async function runTransfer(
  client: ClientServerClient,
  t: Transfer,
  options: TxnOptions,
  accountKey: (a: number) => string,
  split: boolean,
): Promise<Completion> {
  const [from, to] = [accountKey(t.from), accountKey(t.to)]
  const debit = (a: number) => {
    if (a < t.amount) throw new TxnAbort(`insufficient funds: account ${t.from} has ${a}`)
    return String(a - t.amount)
  }
  if (!split)
    return interactiveTxn(client, options, async (tx) => {
      const a = Number(await tx.get(from))
      const b = Number(await tx.get(to))
      await tx.put(from, debit(a))
      await tx.put(to, String(b + t.amount))
    })
  const debited = await interactiveTxn(client, options, async (tx) =>
    tx.put(from, debit(Number(await tx.get(from)))),
  )
  if (debited.type !== 'ok') return debited
  const credited = await interactiveTxn(client, options, async (tx) =>
    tx.put(to, String(Number(await tx.get(to)) + t.amount)),
  )
  // Half a transfer happened: its outcome as a whole is unknown.
  return credited.type === 'ok'
    ? credited
    : { ...credited, type: 'info', error: `debited, then: ${credited.error}` }
}

export function bank(o: WorkloadOptions, { splitTransfers = false } = {}): Workload {
  const txn = { reads: 'register' as const, ...txnOptions(o) }
  const prefix = keyspace('bank')
  const accountKey = (a: number) => `${prefix}${a}`
  const READ: ElleMicroOp[] = Array.from({ length: ACCOUNTS }, (_, a) => ['r', accountKey(a), null])
  return {
    name: 'bank',
    generator: mix([transfer, transfer, transfer, read]),
    async setup(client) {
      // Writing the same initial balances again is harmless before any transfer, so a failed or
      // unknown attempt (e.g. the client server's first call to a member an earlier test
      // restarted) is retried rather than failing the test.
      const balances = Array.from({ length: ACCOUNTS }, (_, a): ElleMicroOp => ['w', accountKey(a), INITIAL])
      let last: string | undefined
      for (let attempt = 1; attempt <= SETUP_ATTEMPTS; attempt++) {
        const init = await client.txn(balances, txn)
        if (init.type === 'ok') return
        last = init.error
        await setTimeout(500)
      }
      throw new Error(
        `bank: writing the initial balances failed ${SETUP_ATTEMPTS} times; last error: ${last}`,
      )
    },
    async invoke(client, op) {
      if (op.f === 'transfer')
        return runTransfer(client, op.value as Transfer, txnOptions(o), accountKey, splitTransfers)
      if (op.f === 'read') {
        const { value, ...c } = await client.txn(READ, txn)
        if (c.type !== 'ok') return c
        return {
          ...c,
          value: Object.fromEntries(
            (value ?? []).map(([, k, v]) => [String(k).slice(prefix.length), v as number]),
          ),
        }
      }
      throw new Error(`bank: unknown op f=${op.f}`)
    },
    async check(history) {
      const accounts = Array.from({ length: ACCOUNTS }, (_, a) => a)
      return { bank: checkBank(history, { total: ACCOUNTS * INITIAL, accounts }) }
    },
  }
}
