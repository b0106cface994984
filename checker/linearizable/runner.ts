// Runs many part searches on one thread, round-robin in short slices, so that a part whose
// search blows up cannot hold up the others, and any part can be cancelled between slices.
// The same runner serves the calling thread and each worker thread.
import { threadId } from 'node:worker_threads'
import { buildFailure, type Failure } from './explain.ts'
import type { Model } from './model.ts'
import type { Part } from './prepare.ts'
import { Search, type SearchStatus } from './search.ts'

export interface PartVerdict {
  job: number
  id: number
  valid: boolean | 'unknown'
  /** Why a part is unknown. */
  reason?: string
  failure?: Failure
  configurations: number
  ms: number
  /** threadId of the thread that searched the part (-1 when it was never started). */
  thread: number
}

interface Task {
  job: number
  id: number
  search: Search
  started: number
  deadline: number
}

const SLICE_MS = 1

export class Runner {
  private tasks: Task[] = []
  private looping = false

  constructor(private readonly onDone: (v: PartVerdict) => void) {}

  load(job: number): number {
    return this.tasks.filter((t) => t.job === job).length
  }

  add(job: number, id: number, part: Part, model: Model<unknown>, maxBytes: number, deadline: number): void {
    this.tasks.push({
      job,
      id,
      search: new Search(part, model, maxBytes),
      started: performance.now(),
      deadline,
    })
    if (!this.looping) void this.loop()
  }

  cancel(job: number): void {
    this.tasks = this.tasks.filter((t) => t.job !== job)
  }

  private async loop(): Promise<void> {
    this.looping = true
    try {
      while (this.tasks.length > 0) {
        for (const t of [...this.tasks]) {
          if (!this.tasks.includes(t)) continue
          const left = t.deadline - performance.now()
          let status: SearchStatus | 'time' = left <= 0 ? 'time' : t.search.run(Math.min(SLICE_MS, left))
          if (status === 'running') continue
          // A pass must be reached within the limit; a counterexample found late is still one.
          if (status === 'ok' && performance.now() > t.deadline) status = 'time'
          this.tasks = this.tasks.filter((x) => x !== t)
          this.onDone(verdict(t, status))
        }
        await new Promise((r) => setImmediate(r))
      }
    } finally {
      this.looping = false
    }
  }
}

function verdict(t: Task, status: 'ok' | 'fail' | 'memory' | 'time'): PartVerdict {
  const s = t.search
  const base = {
    job: t.job,
    id: t.id,
    configurations: s.configurations,
    ms: performance.now() - t.started,
    thread: threadId,
  }
  if (status === 'ok') return { ...base, valid: true }
  if (status === 'memory')
    return {
      ...base,
      valid: 'unknown',
      reason: `memory bound reached (${Math.round(s.bytes / 2 ** 20)} MB of search cache)`,
    }
  if (status === 'time') return { ...base, valid: 'unknown', reason: 'time limit reached' }
  const point = s.failure
  if (!point) throw new Error(`linearizability search of part '${s.part.key}' failed without a failure point`)
  return { ...base, valid: false, failure: buildFailure(s.part.key, s.part.ops, point, s.model) }
}
