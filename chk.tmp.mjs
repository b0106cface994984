import { analyze } from './dist/checker/linearizable/index.js'
import { readHistory } from './dist/lib/history/read.js'
const f = process.argv[2], workers = process.argv[3] === undefined ? undefined : Number(process.argv[3])
const t0 = performance.now()
const h = readHistory(f)
const t1 = performance.now()
const r = await analyze(h, { model: 'kv', workers })
const t2 = performance.now()
console.log(f.split('/').pop(), 'workers', workers, 'read', (t1 - t0).toFixed(0), 'check', (t2 - t1).toFixed(0), r.valid, 'threads', r.threads, 'parts', r.parts)
