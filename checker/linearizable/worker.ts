// Worker thread of the linearizability checker: rebuilds the built-in model named in each
// request, runs the parts it is given on its own round-robin runner and posts verdicts back.
import { parentPort } from 'node:worker_threads'
import { MODELS } from './models.ts'
import type { Part } from './prepare.ts'
import { Runner } from './runner.ts'

export type WorkerRequest =
  | {
      type: 'check'
      job: number
      id: number
      part: Part
      spec: { name: string; initial?: unknown }
      maxBytes: number
      /** Milliseconds left until the job's deadline (clocks differ between threads). */
      timeLeftMs: number
    }
  | { type: 'cancel'; job: number }

const port = parentPort
if (!port) throw new Error('checker/linearizable/worker.ts must run in a worker thread')
const runner = new Runner((v) => port.postMessage(v))
port.on('message', (m: WorkerRequest) => {
  if (m.type === 'cancel') return runner.cancel(m.job)
  const model = MODELS[m.spec.name](m.spec.initial)
  runner.add(m.job, m.id, m.part, model, m.maxBytes, performance.now() + m.timeLeftMs)
})
