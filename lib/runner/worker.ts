// One client thread of the runner: owns the thread's current Client, opens it for the thread's
// process, turns whatever the client does (answers, throws, bad answers, failing to open) into
// a Completion, and swaps in a fresh client when the process is retired.
import type { Op } from '../history/op.ts'
import type { Client, ClientFactory, Completion } from './client.ts'
import { errorMessage } from './client.ts'

const COMPLETION_TYPES = new Set(['ok', 'fail', 'info'])
/** Longest wait for a client's close before the runner moves on (and reports it). */
const CLOSE_TIMEOUT_MS = 5000

export class ClientWorker {
  private client: Client | undefined
  private process: number | undefined
  /** Signals the op in flight; replaced after it fires, so each op sees its own. */
  private controller = new AbortController()
  /** Settles when the previous client of this thread has closed. */
  private closing: Promise<void> = Promise.resolve()

  constructor(
    private readonly factory: ClientFactory,
    private readonly node: string | undefined,
    private readonly errors: string[],
  ) {}

  /** Opens a client for `process`; on failure the next op tries again (and fails if it cannot). */
  async open(process: number): Promise<string | undefined> {
    await this.closing
    const client = this.factory()
    try {
      await client.open(process, this.node)
    } catch (e) {
      return `could not open a client for process ${process}${this.node ? ` on ${this.node}` : ''}: ${errorMessage(e)}`
    }
    this.client = client
    this.process = process
    return undefined
  }

  async invoke(op: Op): Promise<Completion> {
    if (this.controller.signal.aborted) this.controller = new AbortController()
    const signal = this.controller.signal
    try {
      if (this.client === undefined || this.process !== op.process) {
        const problem = await this.open(op.process as number)
        // Jepsen semantics: without a client the op certainly did not happen.
        if (problem) return { type: 'fail', error: problem }
      }
      const c = await this.client!.invoke(op, signal)
      if (!c || !COMPLETION_TYPES.has(c.type))
        return {
          type: 'info',
          error: `client returned ${JSON.stringify(c?.type)} for ${op.f} (op ${op.index}); expected type ok, fail or info`,
        }
      return c
    } catch (e) {
      return { type: 'info', error: errorMessage(e) }
    }
  }

  /** Aborts the op in flight (deadline passed, run aborted); the client sees it through its signal. */
  abort(reason: Error): void {
    this.controller.abort(reason)
  }

  /** The process got an info: close its client; the next op opens one for the new process. */
  retire(): void {
    const client = this.client
    this.client = undefined
    this.process = undefined
    if (client) this.closing = this.closeClient(client)
  }

  async close(): Promise<void> {
    this.retire()
    await this.closing
  }

  private async closeClient(client: Client): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.errors.push(`a client did not close within ${CLOSE_TIMEOUT_MS} ms`)
        resolve()
      }, CLOSE_TIMEOUT_MS)
    })
    try {
      await Promise.race([Promise.resolve().then(() => client.close()), timeout])
    } catch (e) {
      this.errors.push(`closing a client failed: ${errorMessage(e)}`)
    } finally {
      clearTimeout(timer)
    }
  }
}
