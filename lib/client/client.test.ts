// How response errors and gRPC failures become history completions (DESIGN §8).
import { ClientError, Status } from 'nice-grpc'
import { describe, expect, test } from 'vitest'
import { completionForError, completionForStatus } from './client.ts'
import { ErrorKind } from './generated/jepsen/tikv/v1/client.ts'

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
})
