// Streams a history to disk as JSON Lines while the test runs (DESIGN §3). Lines are buffered
// for at most `flushMs` (or `maxBuffer` bytes) and written with synchronous appends, so a crash
// of the harness leaves a readable prefix that ends on a whole line; `close()` flushes the rest.
// A write that fails (a full disk, an I/O error) cuts the file back to its last whole line and
// becomes a HistoryWriteError naming the file and how many ops it holds: reported at once to
// `onError` (the runner stops the run), else thrown by the next write or close. Nothing is
// written after a failure, so the file is always a clean prefix of the history.
import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import type { Op } from './op.ts'

export interface HistoryWriterOptions {
  /** Longest time a line may wait in memory before it is written (ms). */
  flushMs?: number
  /** Buffer size that forces a write (bytes). */
  maxBuffer?: number
  /** Called once when writing fails; later writes are dropped instead of thrown. */
  onError?: (error: HistoryWriteError) => void
}

export class HistoryWriteError extends Error {
  constructor(
    readonly path: string,
    /** Ops the file holds, each on a whole line. */
    readonly opsWritten: number,
    cause: Error,
    /** Why the file may still end in a torn line (the truncation failed too), if it does. */
    readonly tornTail?: string,
  ) {
    super(
      `writing the history ${path} failed after ${opsWritten} ops were written: ${cause.message}` +
        (tornTail ? `; its last line may be torn (${tornTail})` : ''),
      { cause },
    )
    this.name = 'HistoryWriteError'
  }
}

export class HistoryWriter {
  readonly path: string
  private fd: number | undefined
  private buffer: string[] = []
  private bufferedBytes = 0
  private timer: NodeJS.Timeout | undefined
  private readonly flushMs: number
  private readonly maxBuffer: number
  private readonly onError: HistoryWriterOptions['onError']
  private readonly onExit = () => this.flush()
  /** Bytes of whole lines on disk. */
  private bytes = 0
  /** Ops handed to write(). */
  count = 0
  /** Ops on disk, each on a whole line. */
  written = 0
  /** Set once writing failed. */
  error: HistoryWriteError | undefined

  constructor(path: string, options: HistoryWriterOptions = {}) {
    this.path = path
    this.flushMs = options.flushMs ?? 50
    this.maxBuffer = options.maxBuffer ?? 64 * 1024
    this.onError = options.onError
    this.fd = openSync(path, 'a')
    process.once('exit', this.onExit)
  }

  write(op: Op): void {
    if (this.error) {
      if (this.onError) return
      throw this.error
    }
    if (this.fd === undefined) throw new Error(`history ${this.path} is closed; cannot write op ${op.index}`)
    const line = `${JSON.stringify(op)}\n`
    this.buffer.push(line)
    this.bufferedBytes += line.length
    this.count++
    if (this.bufferedBytes >= this.maxBuffer) this.flush()
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs)
      this.timer.unref()
    }
  }

  /** Writes every buffered line now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.fd === undefined || this.buffer.length === 0) return
    const chunk = Buffer.from(this.buffer.join(''))
    const lines = this.buffer.length
    this.buffer = []
    this.bufferedBytes = 0
    let done = 0
    try {
      // writeSync may write less than asked (a nearly full disk): go on until all is written.
      while (done < chunk.length) done += writeSync(this.fd, chunk, done)
    } catch (e) {
      this.fail(e as Error, chunk.subarray(0, done))
      return
    }
    this.bytes += chunk.length
    this.written += lines
  }

  /** Flushes, fsyncs and closes; safe to call twice. Without onError, a failure is thrown here. */
  close(): void {
    this.flush()
    if (this.fd !== undefined) {
      try {
        fsyncSync(this.fd)
      } catch (e) {
        this.fail(e as Error, Buffer.alloc(0))
      }
    }
    if (this.fd !== undefined) {
      closeSync(this.fd)
      this.fd = undefined
      process.off('exit', this.onExit)
    }
    if (this.error && !this.onError) throw this.error
  }

  /** Keeps the whole lines of `partial` (the part of a chunk that reached the file) and stops writing. */
  private fail(cause: Error, partial: Buffer): void {
    const fd = this.fd as number
    const keep = partial.lastIndexOf(0x0a) + 1
    let tornTail: string | undefined
    try {
      ftruncateSync(fd, this.bytes + keep)
      this.bytes += keep
      for (let i = 0; i < keep; i++) if (partial[i] === 0x0a) this.written++
    } catch (e) {
      tornTail = `truncating to ${this.bytes} bytes failed: ${(e as Error).message}`
    }
    try {
      closeSync(fd)
    } catch {
      // the descriptor is gone either way
    }
    this.fd = undefined
    this.buffer = []
    this.bufferedBytes = 0
    process.off('exit', this.onExit)
    this.error = new HistoryWriteError(this.path, this.written, cause, tornTail)
    this.onError?.(this.error)
  }
}
