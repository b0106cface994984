// End to end through the real client server binary against a real single-node etcd on
// loopback: raw ops, CAS, micro-op and interactive transactions, the error kinds while etcd does
// not answer and once it is gone, and the test-only calibration mode. Self-contained and fast, so it runs in the `checker` project; skipped (with the
// reason) only when the binary has not been built (`npm run build:server`).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ClientServerClient } from './client.ts'
import { type LocalEtcd, startLocalEtcd } from './local-etcd.ts'
import { type ClientServerProcess, missingBinaryReason, startClientServer } from './server-process.ts'

const missing = missingBinaryReason()
/** A write transaction's etcd timestamps: it read revision R - 1 and committed at R. */
const revisions = { start: expect.stringMatching(/^\d+$/), commit: expect.stringMatching(/^\d+$/) }

describe.skipIf(missing !== undefined)(
  `client server on etcd${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let dir: string
    let etcd: LocalEtcd
    let clientUrl: string
    let server: ClientServerProcess
    let client: ClientServerClient

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'jepsen-client-server-'))
      etcd = await startLocalEtcd(dir)
      clientUrl = etcd.clientUrl
      server = await startClientServer({
        node: 'n1',
        backend: 'etcd',
        endpoints: [clientUrl],
        logFile: join(dir, 'client-server.log'),
        readyTimeoutMs: 20_000,
      })
      client = new ClientServerClient({ address: server.info.address, timeoutMs: 1_500 })
    }, 30_000)

    afterAll(async () => {
      client?.close()
      await server?.stop()
      await etcd?.kill()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    test('reports ready and its backend', async () => {
      expect(await client.health()).toEqual({ ready: true, backend: 'etcd', message: '', answered: true })
      expect(server.info.address).toMatch(/^127\.0\.0\.1:\d+$/)
    })

    test('put, get and delete', async () => {
      expect(await client.get('raw/absent')).toEqual({ type: 'ok', value: null })
      expect(await client.put('raw/a', 'héllo')).toEqual({ type: 'ok', value: 'héllo' })
      expect(await client.get('raw/a')).toEqual({ type: 'ok', value: 'héllo' })
      expect(await client.delete('raw/a')).toEqual({ type: 'ok' })
      expect(await client.get('raw/a')).toEqual({ type: 'ok', value: null })
    })

    test('cas succeeds on a match and fails (definitely) on a mismatch', async () => {
      expect(await client.cas('raw/c', null, '1')).toEqual({ type: 'ok', value: { previous: null } })
      expect(await client.cas('raw/c', null, '2')).toMatchObject({ type: 'fail', value: { previous: '1' } })
      expect(await client.cas('raw/c', '1', '3')).toEqual({ type: 'ok', value: { previous: '1' } })
      expect(await client.cas('raw/c', '1', '4')).toMatchObject({ type: 'fail', value: { previous: '3' } })
      expect(await client.get('raw/c')).toEqual({ type: 'ok', value: '3' })
    })

    test('an empty key is refused as a definite failure', async () => {
      expect(await client.put('', 'x')).toMatchObject({
        type: 'fail',
        error: expect.stringContaining('empty'),
      })
    })

    test('list-append transactions read their own and earlier appends', async () => {
      const first = await client.txn(
        [
          ['r', 1, null],
          ['append', 1, 10],
          ['append', 1, 11],
          ['r', 1, null],
        ],
        { reads: 'list' },
      )
      expect(first).toEqual({
        type: 'ok',
        value: [
          ['r', 1, []],
          ['append', 1, 10],
          ['append', 1, 11],
          ['r', 1, [10, 11]],
        ],
        ts: revisions,
      })
      const second = await client.txn(
        [
          ['append', 1, 12],
          ['r', 1, null],
        ],
        { reads: 'list', mode: 'pessimistic' },
      )
      expect(second.value).toEqual([
        ['append', 1, 12],
        ['r', 1, [10, 11, 12]],
      ])
    })

    test('rw-register transactions', async () => {
      const txn = await client.txn(
        [
          ['r', 'reg', null],
          ['w', 'reg', 3],
          ['r', 'reg', null],
        ],
        { reads: 'register' },
      )
      expect(txn).toEqual({
        type: 'ok',
        value: [
          ['r', 'reg', null],
          ['w', 'reg', 3],
          ['r', 'reg', 3],
        ],
        ts: revisions,
      })
      expect((await client.txn([['r', 'reg', null]], { reads: 'register' })).value).toEqual([['r', 'reg', 3]])
    })

    test('interactive transactions commit, are freed, and fail definitely on a conflict', async () => {
      const t1 = await client.begin({ mode: 'optimistic' })
      expect(t1.type).toBe('ok')
      const id = t1.value as number
      expect(await client.txnGet(id, 'i/x')).toEqual({ type: 'ok', value: null })
      expect(await client.txnPut(id, 'i/x', 'v1')).toEqual({ type: 'ok', value: 'v1' })
      expect(await client.txnGet(id, 'i/x')).toEqual({ type: 'ok', value: 'v1' })
      expect(await client.commit(id)).toEqual({ type: 'ok', ts: revisions })
      expect(await client.get('i/x')).toEqual({ type: 'ok', value: 'v1' })
      expect(await client.commit(id)).toMatchObject({
        type: 'fail',
        error: expect.stringMatching(/^not-found: .*id/),
      })
      expect(await client.txnGet(987654, 'i/x')).toMatchObject({
        type: 'fail',
        error: expect.stringMatching(/^not-found/),
      })

      const t2 = (await client.begin()).value as number
      expect(await client.txnGet(t2, 'i/x')).toEqual({ type: 'ok', value: 'v1' })
      expect(await client.put('i/x', 'concurrent')).toMatchObject({ type: 'ok' })
      await client.txnPut(t2, 'i/x', 'v2')
      expect(await client.commit(t2)).toMatchObject({
        type: 'fail',
        error: expect.stringMatching(/^definite: .*conflict/),
      })
      expect(await client.get('i/x')).toEqual({ type: 'ok', value: 'concurrent' })

      const t3 = (await client.begin()).value as number
      await client.txnPut(t3, 'i/x', 'never')
      expect(await client.rollback(t3)).toEqual({ type: 'ok' })
      expect(await client.get('i/x')).toEqual({ type: 'ok', value: 'concurrent' })
    })

    test('transactions carry etcd revisions as timestamps, in commit order; async commit and 1PC are refused', async () => {
      const w1 = await client.txn([['w', 'ts/a', 1]], { reads: 'register' })
      const w2 = await client.txn([['w', 'ts/a', 2]], { reads: 'register' })
      const r = await client.txn([['r', 'ts/a', null]], { reads: 'register' })
      // A write txn read the state of R - 1 and committed at R; a read-only one read the state of R.
      for (const w of [w1, w2]) expect(BigInt(w.ts!.commit!)).toBe(BigInt(w.ts!.start) + 1n)
      expect(BigInt(w2.ts!.commit!)).toBeGreaterThan(BigInt(w1.ts!.commit!))
      expect(r).toEqual({ type: 'ok', value: [['r', 'ts/a', 2]], ts: { start: w2.ts!.commit } })
      for (const options of [{ asyncCommit: true }, { onePc: true }]) {
        expect(await client.txn([['w', 'ts/a', 3]], { reads: 'register', ...options })).toMatchObject({
          type: 'fail',
          error: expect.stringContaining('etcd has no async commit or one-phase commit'),
        })
        expect(await client.begin(options)).toMatchObject({ type: 'fail' })
      }
      // Begin knows no timestamp on etcd: it is fixed at commit.
      expect((await client.begin()).ts).toBeUndefined()
    })

    test('non-UTF-8 and malformed values are definite read failures, not crashes', async () => {
      execFileSync('etcdctl', ['--endpoints', clientUrl, 'put', 'bad/bin'], {
        input: Buffer.from([0x61, 0xff]),
      })
      expect(await client.get('bad/bin')).toMatchObject({
        type: 'fail',
        error: expect.stringContaining('not UTF-8'),
      })
      await client.put('bad/reg', 'x')
      expect(await client.txn([['r', 'bad/reg', null]], { reads: 'register' })).toMatchObject({
        type: 'fail',
        error: expect.stringContaining('not a register'),
      })
      expect(await client.health()).toMatchObject({ ready: true })
    })

    test('the test-only commit-unvalidated calibration commits over a concurrent change (a lost update)', async () => {
      const weak = await startClientServer({
        node: 'n1',
        backend: 'etcd',
        endpoints: [clientUrl],
        logFile: join(dir, 'client-server-calibration.log'),
        extraArgs: ['--calibration', 'commit-unvalidated'],
      })
      const weakClient = new ClientServerClient({ address: weak.info.address, timeoutMs: 1_500 })
      try {
        await client.put('cal/x', '1')
        // Both transactions read 1 and add to it; the second commits although x changed.
        const [a, b] = [
          (await weakClient.begin()).value as number,
          (await weakClient.begin()).value as number,
        ]
        expect(await weakClient.txnGet(a, 'cal/x')).toMatchObject({ type: 'ok', value: '1' })
        expect(await weakClient.txnGet(b, 'cal/x')).toMatchObject({ type: 'ok', value: '1' })
        await weakClient.txnPut(a, 'cal/x', '1+a')
        await weakClient.txnPut(b, 'cal/x', '1+b')
        expect(await weakClient.commit(a)).toMatchObject({ type: 'ok' })
        expect(await weakClient.commit(b)).toMatchObject({ type: 'ok' })
        expect(await client.get('cal/x')).toEqual({ type: 'ok', value: '1+b' })
        // The normal server refuses the same interleaving.
        const [c, d] = [(await client.begin()).value as number, (await client.begin()).value as number]
        await client.txnGet(c, 'cal/x')
        await client.txnGet(d, 'cal/x')
        await client.txnPut(c, 'cal/x', 'c')
        await client.txnPut(d, 'cal/x', 'd')
        expect(await client.commit(c)).toMatchObject({ type: 'ok' })
        expect(await client.commit(d)).toMatchObject({
          type: 'fail',
          error: expect.stringContaining('conflict'),
        })
      } finally {
        weakClient.close()
        await weak.stop()
      }
    })

    test('a write etcd receives but never answers is indeterminate', async () => {
      etcd.pause()
      try {
        expect(await client.put('raw/p', 'x')).toMatchObject({
          type: 'info',
          error: expect.stringContaining('DEADLINE_EXCEEDED'),
        })
      } finally {
        etcd.resume()
      }
    })

    test('with etcd gone, reads and writes fail definitely: no connection, nothing sent', async () => {
      await etcd.kill()
      // Once the client server has seen its connection close, every call needs a new one.
      await expect
        .poll(async () => (await client.get('raw/c')).error, { timeout: 10_000 })
        .toMatch(/^definite: .*error trying to connect/)
      const [put, cas, del, blindTxn, readingTxn, commit] = await Promise.all([
        client.put('raw/c', 'x'),
        client.cas('raw/c', '3', 'y'),
        client.delete('raw/c'),
        client.txn([['w', 'reg', 4]], { reads: 'register' }),
        // An append reads first; that read fails, so the transaction never committed.
        client.txn([['append', 1, 99]], { reads: 'list' }),
        client.begin().then(async (b) => {
          await client.txnPut(b.value as number, 'i/y', '1')
          return client.commit(b.value as number)
        }),
      ])
      for (const c of [put, cas, del, blindTxn, readingTxn, commit]) {
        expect(c).toMatchObject({
          type: 'fail',
          error: expect.stringMatching(/^definite: .*error trying to connect/),
        })
      }
      expect(blindTxn.value).toEqual([['w', 'reg', 4]])
      expect(readingTxn).toMatchObject({ value: [['append', 1, 99]] })
      // The server itself still answers: a supervisor must not restart it for its backend's sake.
      expect(await client.health()).toMatchObject({ ready: false, answered: true })
    })
  },
)
