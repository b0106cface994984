// A lazily started, process-wide pool of checker worker threads. Workers are unref'd while
// idle so they never keep a process alive, and ref'd while they hold parts of a job so that
// a script awaiting a verdict does not exit early. If a worker dies (e.g. it cannot load
// TypeScript), its parts are handed back to the job, which checks them on the calling thread.
import { availableParallelism, loadavg } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { PartVerdict } from './runner.ts'
import type { WorkerRequest } from './worker.ts'

interface Slot {
  worker: Worker
  dead: boolean
  /** Outstanding part ids per job. */
  outstanding: Map<number, Set<number>>
}

export interface JobHandlers {
  done: (v: PartVerdict) => void
  /** The worker holding part `id` died before answering. */
  lost: (id: number, why: string) => void
}

const handlers = new Map<number, JobHandlers>()
let slots: Slot[] = []

/**
 * Workers worth starting with `cores` cores and a 1-minute load average of `load` (which counts
 * this process too): one per core left idle, at most every core but the calling thread's. On a
 * machine whose cores are all busy a worker only competes with the calling thread (on a loaded
 * 2-core machine kv c50-ok took 0.37 s with a worker against 0.27 s without).
 */
export function workersFor(cores: number, load: number): number {
  return Math.max(0, Math.min(cores - 1, Math.floor(cores - load)))
}

/** Default worker count for this machine now. */
export const defaultWorkers = (): number => workersFor(availableParallelism(), loadavg()[0])

/**
 * A worker thread running worker.ts: compiled JavaScript in the package (dist/); in the
 * repository's dev loop (Vitest, tsx) the TypeScript source, which worker-boot.mjs loads
 * through tsx because a worker does not inherit its parent's loader.
 */
function startWorker(): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./worker.js', import.meta.url))
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./worker.ts', import.meta.url).href },
  })
}

function spawn(): Slot {
  const worker = startWorker()
  const slot: Slot = { worker, dead: false, outstanding: new Map() }
  worker.unref()
  worker.on('message', (v: PartVerdict) => {
    const ids = slot.outstanding.get(v.job)
    ids?.delete(v.id)
    if (ids?.size === 0) slot.outstanding.delete(v.job)
    if (slot.outstanding.size === 0) worker.unref()
    handlers.get(v.job)?.done(v)
  })
  const lose = (why: string) => {
    slot.dead = true
    slots = slots.filter((s) => s !== slot)
    for (const [job, ids] of slot.outstanding) for (const id of ids) handlers.get(job)?.lost(id, why)
    slot.outstanding.clear()
  }
  worker.on('error', (e) => lose(e.message))
  worker.on('exit', (code) => lose(`exited with code ${code}`))
  return slot
}

/** Worker threads started so far and still alive. */
export const workerCount = (): number => slots.length

export function workerSlots(n: number): Slot[] {
  while (slots.length < n) slots.push(spawn())
  return slots.slice(0, n)
}

export function onJob(job: number, h: JobHandlers): void {
  handlers.set(job, h)
}

export function submit(slot: Slot, req: Extract<WorkerRequest, { type: 'check' }>): void {
  const ids = slot.outstanding.get(req.job)
  if (ids) ids.add(req.id)
  else slot.outstanding.set(req.job, new Set([req.id]))
  slot.worker.ref()
  slot.worker.postMessage(req)
}

export function jobLoad(slot: Slot, job: number): number {
  return slot.outstanding.get(job)?.size ?? 0
}

export function cancelJob(job: number): void {
  handlers.delete(job)
  for (const s of slots) {
    if (!s.outstanding.delete(job)) continue
    s.worker.postMessage({ type: 'cancel', job } satisfies WorkerRequest)
    if (s.outstanding.size === 0) s.worker.unref()
  }
}

export type { Slot }
