// Interactive transactions as workloads run them: the body's value on commit, a rollback and a
// definite `fail` on a failed step or a refusal, the commit's own outcome otherwise, and the
// transaction's timestamps on every completion (the commit's, else the start's).
import { describe, expect, test } from 'vitest'
import type { Completion } from '../client/client.ts'
import { interactiveTxn, TxnAbort, type TxnClient } from './interactive.ts'

const START = { start: '443762935392895012' }
const COMMITTED = { ...START, commit: '443762935392895044', mode: 'async-commit' as const }

/** A client over a map, logging its calls; `fail` names a call to fail and how. */
function fakeClient(fail: { call?: string; with?: Completion<never> } = {}) {
  const calls: string[] = []
  const data = new Map<string, string>([['a', '5']])
  const answer = <V>(call: string, ok: Completion<V>): Promise<Completion<V>> => {
    calls.push(call)
    return Promise.resolve(fail.call === call ? (fail.with as Completion<V>) : ok)
  }
  const client: TxnClient = {
    begin: () => answer('begin', { type: 'ok', value: 1, ts: START }),
    txnGet: (_id, key) => answer(`get ${key}`, { type: 'ok', value: data.get(key) ?? null }),
    txnPut: (_id, key, value) => answer(`put ${key}`, { type: 'ok', value }),
    commit: () => answer('commit', { type: 'ok', ts: COMMITTED }),
    rollback: () => answer('rollback', { type: 'ok' }),
  }
  return { client, calls }
}

const increment = async (tx: {
  get: (k: string) => Promise<string | null>
  put: (k: string, v: string) => Promise<void>
}) => {
  const n = Number(await tx.get('a')) + 1
  await tx.put('a', String(n))
  return { a: n }
}

describe('interactiveTxn', () => {
  test('commits and completes with the body value and the commit timestamps', async () => {
    const { client, calls } = fakeClient()
    expect(await interactiveTxn(client, {}, increment)).toEqual({
      type: 'ok',
      value: { a: 6 },
      ts: COMMITTED,
    })
    expect(calls).toEqual(['begin', 'get a', 'put a', 'commit'])
  })

  test('a failed step rolls back and is a definite fail carrying the start timestamp', async () => {
    const { client, calls } = fakeClient({
      call: 'put a',
      with: { type: 'info', error: 'indeterminate: lost' },
    })
    expect(await interactiveTxn(client, {}, increment)).toEqual({
      type: 'fail',
      error: 'indeterminate: lost',
      ts: START,
    })
    expect(calls).toEqual(['begin', 'get a', 'put a', 'rollback'])
  })

  test('a refusal by the body rolls back with its message', async () => {
    const { client, calls } = fakeClient()
    const r = await interactiveTxn(client, {}, async () => {
      throw new TxnAbort('insufficient funds')
    })
    expect(r).toEqual({ type: 'fail', error: 'insufficient funds', ts: START })
    expect(calls.at(-1)).toBe('rollback')
  })

  test("the commit's outcome decides; without commit timestamps the start's are kept", async () => {
    const lost = { type: 'info' as const, error: 'indeterminate: commit timed out' }
    const { client } = fakeClient({ call: 'commit', with: lost })
    expect(await interactiveTxn(client, {}, increment)).toEqual({ ...lost, ts: START })
  })

  test('a failed begin is a fail; an unexpected error still rolls back, then propagates', async () => {
    const { client: noBegin } = fakeClient({
      call: 'begin',
      with: { type: 'fail', error: 'definite: no pd' },
    })
    expect(await interactiveTxn(noBegin, {}, increment)).toEqual({ type: 'fail', error: 'definite: no pd' })
    const { client, calls } = fakeClient()
    await expect(
      interactiveTxn(client, {}, async () => {
        throw new Error('bug')
      }),
    ).rejects.toThrow('bug')
    expect(calls).toEqual(['begin', 'rollback'])
  })
})
