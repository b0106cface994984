// Streams a history to disk as JSON Lines while the test runs (DESIGN §3). Lines are buffered
// for at most `flushMs` (or `maxBuffer` bytes) and written with synchronous appends, so a crash
// of the harness leaves a readable prefix that ends on a whole line; `close()` flushes the rest.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import type { Op } from './op.ts'

export interface HistoryWriterOptions {
  /** Longest time a line may wait in memory before it is written (ms). */
  flushMs?: number
  /** Buffer size that forces a write (bytes). */
  maxBuffer?: number
}

export class HistoryWriter {
  readonly path: string
  private fd: number | undefined
  private buffer: string[] = []
  private bufferedBytes = 0
  private timer: NodeJS.Timeout | undefined
  private readonly flushMs: number
  private readonly maxBuffer: number
  private readonly onExit = () => this.flush()
  count = 0

  constructor(path: string, options: HistoryWriterOptions = {}) {
    this.path = path
    this.flushMs = options.flushMs ?? 50
    this.maxBuffer = options.maxBuffer ?? 64 * 1024
    this.fd = openSync(path, 'a')
    process.once('exit', this.onExit)
  }

  write(op: Op): void {
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
    const chunk = this.buffer.join('')
    this.buffer = []
    this.bufferedBytes = 0
    writeSync(this.fd, chunk)
  }

  /** Flushes, fsyncs and closes; safe to call twice. */
  close(): void {
    if (this.fd === undefined) return
    this.flush()
    fsyncSync(this.fd)
    closeSync(this.fd)
    this.fd = undefined
    process.off('exit', this.onExit)
  }
}
