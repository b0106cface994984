// How response errors and gRPC failures become history completions (DESIGN §8).
import { createServer } from 'node:net'
import { ClientError, Status } from 'nice-grpc'
import { describe, expect, test } from 'vitest'
import { ClientServerClient, completionForError, completionForStatus, fromProtoTimestamps } from './client.ts'
import { CommitMode, ErrorKind } from './generated/jepsen/tikv/v1/client.ts'

describe('completionForError', () => {
  test('definite and not-found errors are fail, for reads and writes alike', () => {
    for (const cls of ['read', 'write'] as const) {
      expect(completionForError(cls, { kind: ErrorKind.ERROR_KIND_DEFINITE, message: 'conflict' })).toEqual({
        type: 'fail',
        error: 'definite: conflict',
      })
      expect(completionForError(cls, { kind: ErrorKind.ERROR_KIND_NOT_FOUND, message: 'txn 3' })).toEqual({
        type: 'fail',
        error: 'not-found: txn 3',
      })
    }
  })

  test('indeterminate errors are info even on a read', () => {
    expect(completionForError('read', { kind: ErrorKind.ERROR_KIND_INDETERMINATE, message: 't' }).type).toBe(
      'info',
    )
    expect(completionForError('write', { kind: ErrorKind.ERROR_KIND_INDETERMINATE, message: 't' }).type).toBe(
      'info',
    )
  })

  test('an unknown kind is info for a write and fail for a read', () => {
    const error = { kind: ErrorKind.ERROR_KIND_UNSPECIFIED, message: '?' }
    expect(completionForError('write', error).type).toBe('info')
    expect(completionForError('read', error).type).toBe('fail')
  })
})

describe('completionForStatus', () => {
  const status = (code: Status) => new ClientError('/jepsen.tikv.v1.Kv/Put', code, 'details')

  test('a deadline or lost connection is info for a write and fail for a read', () => {
    for (const code of [Status.DEADLINE_EXCEEDED, Status.UNAVAILABLE, Status.CANCELLED, Status.INTERNAL]) {
      expect(completionForStatus('write', status(code)).type).toBe('info')
      expect(completionForStatus('read', status(code)).type).toBe('fail')
    }
    expect(completionForStatus('write', status(Status.DEADLINE_EXCEEDED)).error).toBe(
      'grpc DEADLINE_EXCEEDED: details',
    )
  })

  test('a request the server refused outright is fail even for a write', () => {
    expect(completionForStatus('write', status(Status.UNIMPLEMENTED)).type).toBe('fail')
    expect(completionForStatus('write', status(Status.INVALID_ARGUMENT)).type).toBe('fail')
  })

  test('a write that never left because no connection could be made is fail; a dropped one is info', () => {
    const unavailable = (details: string) =>
      new ClientError('/jepsen.tikv.v1.Kv/Put', Status.UNAVAILABLE, details)
    const refused = 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:9'
    expect(completionForStatus('write', unavailable(refused)).type).toBe('fail')
    expect(completionForStatus('write', unavailable(`round_robin: ${refused}`)).type).toBe('fail')
    expect(completionForStatus('write', unavailable('Connection dropped')).type).toBe('info')
    expect(completionForStatus('write', unavailable('read ECONNRESET')).type).toBe('info')
  })

  test('a real write to a port nobody listens on is a definite failure', async () => {
    const server = createServer()
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const { port } = server.address() as { port: number }
    await new Promise((done) => server.close(done))
    const client = new ClientServerClient({ address: `127.0.0.1:${port}`, timeoutMs: 3_000 })
    try {
      const [put, commit] = await Promise.all([client.put('k', 'v'), client.commit(1)])
      for (const c of [put, commit]) {
        expect(c).toMatchObject({ type: 'fail', error: expect.stringContaining('No connection established') })
      }
    } finally {
      client.close()
    }
  })
})

describe('fromProtoTimestamps', () => {
  test('decimal strings pass through exactly; 0 means not known; the mode gets its history name', () => {
    expect(
      fromProtoTimestamps({
        start: '443762935392895012',
        commit: '443762935392895044',
        mode: CommitMode.COMMIT_MODE_ASYNC_COMMIT,
      }),
    ).toEqual({ start: '443762935392895012', commit: '443762935392895044', mode: 'async-commit' })
    expect(
      fromProtoTimestamps({ start: '7', commit: '0', mode: CommitMode.COMMIT_MODE_UNSPECIFIED }),
    ).toEqual({
      start: '7',
    })
    expect(fromProtoTimestamps({ start: '7', commit: '9', mode: CommitMode.COMMIT_MODE_ONE_PC })?.mode).toBe(
      '1pc',
    )
    expect(fromProtoTimestamps({ start: '7', commit: '9', mode: CommitMode.COMMIT_MODE_TWO_PC })?.mode).toBe(
      '2pc',
    )
    expect(
      fromProtoTimestamps({ start: '0', commit: '0', mode: CommitMode.COMMIT_MODE_UNSPECIFIED }),
    ).toBeUndefined()
    expect(fromProtoTimestamps(undefined)).toBeUndefined()
  })
})
