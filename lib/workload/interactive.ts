// Interactive transactions for workloads (bank transfers, monotonic increments): Begin, the
// workload's reads and writes through the client server, Commit. A failure before commit, or a
// refusal by the workload (TxnAbort), rolls back and is `fail`: nothing was committed. The
// commit's own outcome decides the rest. The completion carries the transaction's timestamps
// (DESIGN §3 `ts`): the commit's when it reported them, else the start's.
import type { ClientServerClient, TxnOptions } from '../client/client.ts'
import type { Completion } from '../runner/client.ts'

/** Thrown by a transaction body to roll back; its message is the completion's error. */
export class TxnAbort extends Error {}

export interface TxnSteps {
  /** The key's value (null when absent); a failed read aborts the transaction. */
  get(key: string): Promise<string | null>
  /** Buffers (or, pessimistic, locks) a write; a failure aborts the transaction. */
  put(key: string, value: string): Promise<void>
}

/** The client calls an interactive transaction makes. */
export type TxnClient = Pick<ClientServerClient, 'begin' | 'txnGet' | 'txnPut' | 'commit' | 'rollback'>

/** Runs `body` in one transaction; `ok` completes with the value it returned. */
export async function interactiveTxn<V>(
  client: TxnClient,
  options: TxnOptions,
  body: (tx: TxnSteps) => Promise<V>,
): Promise<Completion> {
  const begun = await client.begin(options)
  if (begun.type !== 'ok') return { type: 'fail', error: begun.error }
  const id = begun.value as number
  const stamped = (c: Completion): Completion => (c.ts || !begun.ts ? c : { ...c, ts: begun.ts })
  let value: V
  try {
    value = await body({
      async get(key) {
        const c = await client.txnGet(id, key)
        if (c.type !== 'ok') throw new TxnAbort(c.error ?? `txn get ${key}: ${c.type}`)
        return c.value ?? null
      },
      async put(key, v) {
        const c = await client.txnPut(id, key, v)
        if (c.type !== 'ok') throw new TxnAbort(c.error ?? `txn put ${key}: ${c.type}`)
      },
    })
  } catch (e) {
    await client.rollback(id)
    if (e instanceof TxnAbort) return stamped({ type: 'fail', error: e.message })
    throw e
  }
  const { value: _, ...commit } = await client.commit(id)
  return stamped(commit.type === 'ok' && value !== undefined ? { ...commit, value } : commit)
}
