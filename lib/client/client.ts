// Typed client for one Rust client server (DESIGN §8, proto/jepsen/tikv/v1/client.proto) over
// nice-grpc. Every call has a deadline, and every answer becomes a history completion:
// `ok`; `fail` (definitely did not happen); `info` (may have happened). A response error is
// mapped by its kind; a gRPC failure (deadline, connection lost) is `fail` for a read and
// `info` for a write or commit, since its effect is unknown, except when the request never left
// this process (no connection to the client server could be made) or was refused unread.
// Transactional calls also carry the transaction's timestamps (DESIGN §3 `ts`) whenever the
// server reports them, errors included.
// The generated code comes from `npm run gen:proto` (lib/client/generated/, not committed).
import { type Channel, ClientError, createChannel, createClientFactory, Status } from 'nice-grpc'
import { type DeadlineOptions, deadlineMiddleware } from 'nice-grpc-client-middleware-deadline'
import type { CommitMode as HistoryCommitMode, TxnTimestamps } from '../history/op.ts'
import {
  CommitMode,
  ErrorKind,
  type KvClient,
  KvDefinition,
  type MicroOp,
  MicroOpKind,
  type MicroOpResult,
  type Error as ProtoError,
  type TxnTimestamps as ProtoTimestamps,
  TxnMode,
} from './generated/jepsen/tikv/v1/client.ts'

export const DEFAULT_TIMEOUT_MS = 5_000

export interface Completion<V = unknown> {
  type: 'ok' | 'fail' | 'info'
  value?: V
  error?: string
  /** The transaction's timestamps, when the server reports them. */
  ts?: TxnTimestamps
}

/** Whether a call can change committed data; decides what an unknown outcome means. */
export type CallClass = 'read' | 'write'

/** An Elle micro-op: [f, key, value]; reads are invoked with null and complete with the value. */
export type ElleMicroOp =
  | ['append', ElleKey, number]
  | ['w', ElleKey, number]
  | ['r', ElleKey, number | number[] | null]
export type ElleKey = string | number

export interface TxnOptions {
  mode?: 'optimistic' | 'pessimistic'
  /** TiKV: lock/conflict-check read keys (serializable instead of snapshot isolation). */
  lockReads?: boolean
  /** TiKV: try async commit / one-phase commit (etcd refuses them). */
  asyncCommit?: boolean
  onePc?: boolean
}

export interface MicroTxnOptions extends TxnOptions {
  /** What an 'r' reads: a list (list-append) or a register (rw-register). */
  reads: 'list' | 'register'
}

export interface Health {
  ready: boolean
  backend: string
  message: string
  /** Whether the server answered at all (false: no connection, or no answer by the deadline). */
  answered: boolean
}

export interface ClientOptions {
  /** host:port of the client server. */
  address: string
  /** Deadline of every call in milliseconds (default 5000). */
  timeoutMs?: number
}

const KIND_NAMES: Record<ErrorKind, string> = {
  [ErrorKind.ERROR_KIND_UNSPECIFIED]: 'unspecified',
  [ErrorKind.ERROR_KIND_DEFINITE]: 'definite',
  [ErrorKind.ERROR_KIND_INDETERMINATE]: 'indeterminate',
  [ErrorKind.ERROR_KIND_NOT_FOUND]: 'not-found',
  [ErrorKind.UNRECOGNIZED]: 'unrecognized',
}

/** The completion of a call whose response carries `error`. */
export function completionForError(cls: CallClass, error: ProtoError): Completion<never> {
  const message = `${KIND_NAMES[error.kind] ?? error.kind}: ${error.message}`
  switch (error.kind) {
    case ErrorKind.ERROR_KIND_DEFINITE:
    case ErrorKind.ERROR_KIND_NOT_FOUND:
      return { type: 'fail', error: message }
    case ErrorKind.ERROR_KIND_INDETERMINATE:
      return { type: 'info', error: message }
    default:
      // A kind this client does not know: only a read is safe to call failed.
      return { type: cls === 'read' ? 'fail' : 'info', error: message }
  }
}

/** Statuses by which the server refused the request before any handler ran. */
const REFUSED = new Set<Status>([Status.INVALID_ARGUMENT, Status.UNIMPLEMENTED])

/**
 * grpc-js fails a call this way when no connection to the client server could be made (refused,
 * or the server is gone), so the request was never sent. A connection lost after sending says
 * something else ("Connection dropped", "read ECONNRESET", …).
 */
const NOT_CONNECTED = /^(\w+: )?No connection established/

/** Whether a gRPC failure proves the request never reached the client server's handler. */
export function neverSent(error: ClientError): boolean {
  return REFUSED.has(error.code) || (error.code === Status.UNAVAILABLE && NOT_CONNECTED.test(error.details))
}

/** The completion of a call that failed at the gRPC level (no response). */
export function completionForStatus(cls: CallClass, error: ClientError): Completion<never> {
  const message = `grpc ${Status[error.code]}: ${error.details}`
  return { type: cls === 'read' || neverSent(error) ? 'fail' : 'info', error: message }
}

const TXN_MODES = { optimistic: TxnMode.TXN_MODE_OPTIMISTIC, pessimistic: TxnMode.TXN_MODE_PESSIMISTIC }

function protoTxnOptions(options: TxnOptions = {}) {
  const mode = options.mode ?? 'optimistic'
  if (!(mode in TXN_MODES)) {
    throw new Error(`txn mode ${JSON.stringify(mode)}: allowed values are optimistic, pessimistic`)
  }
  return {
    mode: TXN_MODES[mode],
    lockReads: options.lockReads ?? false,
    asyncCommit: options.asyncCommit ?? false,
    onePc: options.onePc ?? false,
  }
}

const COMMIT_MODES: Partial<Record<CommitMode, HistoryCommitMode>> = {
  [CommitMode.COMMIT_MODE_TWO_PC]: '2pc',
  [CommitMode.COMMIT_MODE_ASYNC_COMMIT]: 'async-commit',
  [CommitMode.COMMIT_MODE_ONE_PC]: '1pc',
}

/** The history's `ts` from the server's (0 = not known; no start, no timestamps). */
export function fromProtoTimestamps(ts: ProtoTimestamps | undefined): TxnTimestamps | undefined {
  if (!ts || ts.start === '0') return undefined
  const out: TxnTimestamps = { start: ts.start }
  if (ts.commit !== '0') out.commit = ts.commit
  const mode = COMMIT_MODES[ts.mode]
  if (mode) out.mode = mode
  return out
}

function toMicroOp(op: ElleMicroOp, index: number, reads: MicroTxnOptions['reads']): MicroOp {
  const [f, key, value] = op
  switch (f) {
    case 'append':
      return { kind: MicroOpKind.MICRO_OP_KIND_APPEND, key: String(key), value }
    case 'w':
      return { kind: MicroOpKind.MICRO_OP_KIND_WRITE, key: String(key), value }
    case 'r':
      return {
        kind: reads === 'list' ? MicroOpKind.MICRO_OP_KIND_READ_LIST : MicroOpKind.MICRO_OP_KIND_READ,
        key: String(key),
        value: 0,
      }
    default:
      throw new Error(`micro-op ${index} ${JSON.stringify(op)}: f must be one of append, w, r`)
  }
}

function fromMicroOpResult(invoked: ElleMicroOp, result: MicroOpResult): ElleMicroOp {
  const [f, key] = invoked
  if (f !== 'r') return invoked
  if (result.kind === MicroOpKind.MICRO_OP_KIND_READ_LIST) return ['r', key, result.list]
  return ['r', key, result.value ?? null]
}

export class ClientServerClient {
  readonly address: string
  readonly timeoutMs: number
  private readonly channel: Channel
  private readonly kv: KvClient<DeadlineOptions>

  constructor(options: ClientOptions) {
    this.address = options.address
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    if (!(this.timeoutMs > 0)) {
      throw new Error(`timeoutMs ${options.timeoutMs}: must be a positive number of milliseconds`)
    }
    this.channel = createChannel(this.address)
    this.kv = createClientFactory()
      .use(deadlineMiddleware)
      .create(KvDefinition, this.channel, {
        '*': { deadline: this.timeoutMs },
      })
  }

  close(): void {
    this.channel.close()
  }

  /** Readiness of the server and its backend; a gRPC failure reads as not ready. */
  async health(): Promise<Health> {
    try {
      return { ...(await this.kv.health({})), answered: true }
    } catch (e) {
      if (!(e instanceof ClientError)) throw e
      return {
        ready: false,
        backend: '',
        message: completionForStatus('read', e).error ?? '',
        answered: false,
      }
    }
  }

  private async call<R extends { error?: ProtoError | undefined; ts?: ProtoTimestamps | undefined }, V>(
    cls: CallClass,
    send: () => Promise<R>,
    done: (response: R) => Completion<V>,
  ): Promise<Completion<V>> {
    let response: R
    try {
      response = await send()
    } catch (e) {
      if (e instanceof ClientError) return completionForStatus(cls, e)
      throw e
    }
    const c = response.error ? completionForError(cls, response.error) : done(response)
    const ts = fromProtoTimestamps(response.ts)
    return ts ? { ...c, ts } : c
  }

  get(key: string): Promise<Completion<string | null>> {
    return this.call(
      'read',
      () => this.kv.get({ key }),
      (r) => ({ type: 'ok', value: r.value ?? null }),
    )
  }

  put(key: string, value: string): Promise<Completion<string>> {
    return this.call(
      'write',
      () => this.kv.put({ key, value }),
      () => ({ type: 'ok', value }),
    )
  }

  /**
   * Sets `key` to `next` if it holds `expected` (null: if it does not exist). A mismatch is a
   * `fail` (nothing was written) whose value carries the value found.
   */
  cas(key: string, expected: string | null, next: string): Promise<Completion<{ previous: string | null }>> {
    return this.call(
      'write',
      () => this.kv.cas({ key, expected: expected ?? undefined, newValue: next }),
      (r) => {
        const value = { previous: r.previous ?? null }
        return r.succeeded
          ? { type: 'ok', value }
          : { type: 'fail', value, error: 'cas: value did not match' }
      },
    )
  }

  delete(key: string): Promise<Completion<undefined>> {
    return this.call(
      'write',
      () => this.kv.delete({ key }),
      () => ({ type: 'ok' }),
    )
  }

  /** Starts an interactive transaction; the value is its id, `ts` its start (TiKV). */
  begin(options?: TxnOptions): Promise<Completion<number>> {
    return this.call(
      'read',
      () => this.kv.begin({ options: protoTxnOptions(options) }),
      (r) => ({ type: 'ok', value: r.txnId, ...(r.startTs !== '0' ? { ts: { start: r.startTs } } : {}) }),
    )
  }

  txnGet(txnId: number, key: string): Promise<Completion<string | null>> {
    return this.call(
      'read',
      () => this.kv.txnGet({ txnId, key }),
      (r) => ({ type: 'ok', value: r.value ?? null }),
    )
  }

  /** Buffers (or, pessimistic, locks) a write: nothing is committed yet, so never `info`. */
  txnPut(txnId: number, key: string, value: string): Promise<Completion<string>> {
    return this.call(
      'read',
      () => this.kv.txnPut({ txnId, key, value }),
      () => ({ type: 'ok', value }),
    )
  }

  commit(txnId: number): Promise<Completion<undefined>> {
    return this.call(
      'write',
      () => this.kv.commit({ txnId }),
      () => ({ type: 'ok' }),
    )
  }

  rollback(txnId: number): Promise<Completion<undefined>> {
    return this.call(
      'read',
      () => this.kv.rollback({ txnId }),
      () => ({ type: 'ok' }),
    )
  }

  /**
   * Runs Elle micro-ops as one transaction. `ok` carries the ops with reads filled in; `fail`
   * and `info` carry the ops as invoked. Each carries the timestamps the server reported.
   */
  txn(ops: ElleMicroOp[], options: MicroTxnOptions): Promise<Completion<ElleMicroOp[]>> {
    const request = {
      ops: ops.map((op, i) => toMicroOp(op, i, options.reads)),
      options: protoTxnOptions(options),
    }
    return this.call(
      'write',
      () => this.kv.txn(request),
      (r) => {
        if (r.results.length !== ops.length) {
          return { type: 'info', value: ops, error: `txn: ${r.results.length} results for ${ops.length} ops` }
        }
        return { type: 'ok', value: ops.map((op, i) => fromMicroOpResult(op, r.results[i])) }
      },
    ).then((c) => (c.type === 'ok' ? c : { ...c, value: ops }))
  }
}
