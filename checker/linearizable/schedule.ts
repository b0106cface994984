// Checks the parts of one history: the calling thread starts on them at once (round-robin);
// worker threads join only when the history is big enough to gain from them: the job is still
// running after about a worker's start-up time and enough parts are still unstarted to hand
// out (so small histories never pay for starting threads). The first non-linearizable part
// cancels the rest, and the time limit or an abort signal turns every undecided part into
// "unknown".
import type { Model } from './model.ts'
import { cancelJob, defaultWorkers, jobLoad, onJob, type Slot, submit, workerSlots } from './pool.ts'
import type { Part } from './prepare.ts'
import { type PartVerdict, Runner } from './runner.ts'

export interface ScheduleOptions {
  timeLimitMs?: number
  /** When the time limit started (performance.now()); defaults to the call of checkParts. */
  startedAt?: number
  signal?: AbortSignal
  /** Worker threads to use besides the calling thread (default: one per idle core, at most cores - 1; 0 = calling thread only). */
  workers?: number
  /** Bound on each part's search cache, in bytes. */
  maxBytesPerPart?: number
  /** How long the calling thread works alone before workers may join (default 100 ms). */
  workerDelayMs?: number
}

/** Parts a thread searches at once (round-robin). */
const ACTIVE_PER_THREAD = 4
/** About what starting a worker thread costs (compiled JavaScript, on a busy 2-core machine). */
const WORKER_DELAY_MS = 100
/** Unstarted parts needed for a worker to be worth starting. */
const MIN_PARTS_PER_WORKER = 2

let jobs = 0

export function checkParts(
  parts: Part[],
  model: Model<unknown>,
  opts: ScheduleOptions,
): Promise<PartVerdict[]> {
  const job = ++jobs
  const deadline = (opts.startedAt ?? performance.now()) + (opts.timeLimitMs ?? Number.POSITIVE_INFINITY)
  const maxBytes = opts.maxBytesPerPart ?? 256 * 2 ** 20
  const verdicts: (PartVerdict | undefined)[] = new Array(parts.length)
  let next = 0
  let left = parts.length
  return new Promise((resolve) => {
    if (left === 0) return resolve([])
    let done = false
    let workers: Slot[] = []
    let timer: NodeJS.Timeout | undefined
    let helpers: NodeJS.Timeout | undefined
    const finish = (reason: string) => {
      if (done) return
      done = true
      clearTimeout(timer)
      clearTimeout(helpers)
      opts.signal?.removeEventListener('abort', onAbort)
      main.cancel(job)
      cancelJob(job)
      resolve(
        parts.map(
          (_, id) =>
            verdicts[id] ?? { job, id, valid: 'unknown', reason, configurations: 0, ms: 0, thread: -1 },
        ),
      )
    }
    const onDone = (v: PartVerdict) => {
      if (done || verdicts[v.id]) return
      verdicts[v.id] = v
      left--
      if (v.valid === false) return finish('cancelled: another part is not linearizable')
      if (left === 0) return finish('')
      fill()
    }
    /** Parts whose worker died: the calling thread takes them first. */
    const orphans: number[] = []
    const fill = () => {
      while (orphans.length > 0 && main.load(job) < ACTIVE_PER_THREAD) {
        const id = orphans.shift()!
        main.add(job, id, parts[id], model, maxBytes, deadline)
      }
      while (next < parts.length && main.load(job) < ACTIVE_PER_THREAD)
        main.add(job, next, parts[next++], model, maxBytes, deadline)
      workers = workers.filter((w) => !w.dead)
      for (const w of workers)
        while (next < parts.length && jobLoad(w, job) < ACTIVE_PER_THREAD) {
          const id = next++
          submit(w, {
            type: 'check',
            job,
            id,
            part: parts[id],
            spec: model.spec!,
            maxBytes,
            timeLeftMs: deadline - performance.now(),
          })
        }
    }
    const main = new Runner(onDone)
    onJob(job, {
      done: onDone,
      lost: (id) => {
        orphans.push(id)
        fill()
      },
    })
    const onAbort = () => finish('aborted')
    opts.signal?.addEventListener('abort', onAbort)
    if (opts.signal?.aborted) return finish('aborted')
    if (Number.isFinite(deadline))
      timer = setTimeout(() => finish('time limit reached'), Math.max(0, deadline - performance.now()))
    const nWorkers = opts.workers ?? defaultWorkers()
    if (nWorkers > 0 && model.spec && parts.length > ACTIVE_PER_THREAD)
      helpers = setTimeout(() => {
        const worthwhile = Math.min(nWorkers, Math.floor((parts.length - next) / MIN_PARTS_PER_WORKER))
        if (worthwhile === 0) return
        workers = workerSlots(worthwhile)
        fill()
      }, opts.workerDelayMs ?? WORKER_DELAY_MS)
    fill()
  })
}
