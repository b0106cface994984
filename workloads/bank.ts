// The bank workload: ACCOUNTS accounts start with INITIAL each; clients transfer random amounts
// between two accounts in an interactive transaction (read both balances, refuse an overdraft,
// write both, commit) and read all balances in one transaction. Every read must sum to the
// initial total with no negative balance (checker/bank.ts).
import { setTimeout } from 'node:timers/promises'
import { checkBank } from '../checker/bank.ts'
import type { ClientServerClient, ElleMicroOp } from '../lib/client/client.ts'
import { mix } from '../lib/generator/control.ts'
import type { GenFn } from '../lib/generator/core.ts'
import type { Completion } from '../lib/runner/client.ts'
import { keyspace, type Workload, type WorkloadOptions } from '../lib/workload/workload.ts'

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

/** Runs one transfer; an error before commit rolls back and is definite, the commit's own outcome decides the rest. */
async function runTransfer(
  client: ClientServerClient,
  t: Transfer,
  mode: WorkloadOptions['txnMode'],
  accountKey: (a: number) => string,
): Promise<Completion> {
  const begun = await client.begin({ mode })
  if (begun.type !== 'ok') return { type: 'fail', error: begun.error }
  const id = begun.value as number
  const abort = async (c: Completion): Promise<Completion> => {
    await client.rollback(id)
    return c
  }
  const from = await client.txnGet(id, accountKey(t.from))
  const to = await client.txnGet(id, accountKey(t.to))
  if (from.type !== 'ok' || to.type !== 'ok') return abort({ type: 'fail', error: from.error ?? to.error })
  const a = Number(from.value)
  const b = Number(to.value)
  if (a < t.amount) return abort({ type: 'fail', error: `insufficient funds: account ${t.from} has ${a}` })
  for (const [k, v] of [
    [t.from, a - t.amount],
    [t.to, b + t.amount],
  ]) {
    const put = await client.txnPut(id, accountKey(k), String(v))
    if (put.type !== 'ok') return abort({ type: 'fail', error: put.error })
  }
  const commit = await client.commit(id)
  return { type: commit.type, error: commit.error }
}

export function bank(o: WorkloadOptions): Workload {
  const txn = { reads: 'register' as const, mode: o.txnMode }
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
      if (op.f === 'transfer') return runTransfer(client, op.value as Transfer, o.txnMode, accountKey)
      if (op.f === 'read') {
        const c = await client.txn(READ, txn)
        if (c.type !== 'ok') return { type: c.type, error: c.error }
        return {
          type: 'ok',
          value: Object.fromEntries(
            (c.value ?? []).map(([, k, v]) => [String(k).slice(prefix.length), v as number]),
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
