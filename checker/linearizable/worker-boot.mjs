// Entry of the checker's worker threads: registers tsx's TypeScript loader in the worker (a
// worker does not inherit it from Vitest or `npx tsx`), then loads the TypeScript worker.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
