// Linearizability checker benchmark on the reference histories (testdata/): the 102
// Porcupine etcd logs (cas-register), the kv histories c50-ok / c50-bad (partitioned by key,
// calling thread only vs with worker threads) and c10-ok / c10-bad unpartitioned (one kv part
// over all keys). Baselines measured in the same run: plain Wing–Gong without Lowe's cache
// (capped per history) and the single-threaded check. Porcupine's figures on this machine
// (given in issue 3) are printed as a fixed reference, not re-measured.
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { resourceUsage } from 'node:process'
import { analyze, type LinearizableOptions } from '../checker/linearizable/index.ts'
import { resolveModel } from '../checker/linearizable/models.ts'
import { prepareParts } from '../checker/linearizable/prepare.ts'
import { Search } from '../checker/linearizable/search.ts'
import { readHistory } from '../lib/history/read.ts'
import { reference } from '../lib/history/testing/reference.ts'
import type { BenchSection } from './main.ts'

const PEER = reference('porcupine/test_data')
const NO_CACHE_CAP_MS = 2000

const ms = (x: number) => Number(x.toFixed(1))
const peakMb = () => Math.round(resourceUsage().maxRSS / 1024)

async function timed(history: ReturnType<typeof readHistory>, opts: LinearizableOptions) {
  const t = performance.now()
  const r = await analyze(history, opts)
  return { ms: performance.now() - t, valid: r.valid, configurations: r.configurations, threads: r.threads }
}

/** Plain Wing–Gong (no cache) on every part, single-threaded, giving up after `capMs`. */
function noCache(history: ReturnType<typeof readHistory>, model: string, capMs: number, split = true) {
  const t = performance.now()
  let verdict: string = 'true'
  for (const part of prepareParts(history, resolveModel(model), split)) {
    const s = new Search(part, resolveModel(model), Number.POSITIVE_INFINITY, false)
    let status = s.run(capMs)
    while (status === 'running' && performance.now() - t < capMs) status = s.run(capMs)
    if (status === 'fail') return { ms: performance.now() - t, verdict: 'false' }
    if (status !== 'ok') {
      verdict = `gave up at ${capMs} ms`
      break
    }
  }
  return { ms: performance.now() - t, verdict }
}

export default async function (): Promise<BenchSection[]> {
  const etcd = Array.from({ length: 103 }, (_, i) => i)
    .filter((i) => i !== 95)
    .map((i) => readHistory(join(PEER, `jepsen/etcd_${String(i).padStart(3, '0')}.log`)))
  const kv = (name: string) => readHistory(join(PEER, `kv/${name}.txt`))

  // Section 1: the 102 etcd logs, ours vs plain Wing–Gong (each capped).
  let total = 0
  let worst = 0
  for (const h of etcd) {
    const r = await timed(h, { model: 'cas-register' })
    total += r.ms
    worst = Math.max(worst, r.ms)
  }
  const etcdPeak = peakMb()
  let baseTotal = 0
  let baseWorst = 0
  let gaveUp = 0
  for (const h of etcd) {
    const b = noCache(h, 'cas-register', 200)
    baseTotal += b.ms
    baseWorst = Math.max(baseWorst, b.ms)
    if (b.verdict.startsWith('gave up')) gaveUp++
  }
  const sections: BenchSection[] = [
    {
      title: 'linearizable: 102 Porcupine etcd logs (cas-register)',
      rows: [
        {
          checker: 'WGL + cache (ours)',
          'total ms': ms(total),
          'worst ms': ms(worst),
          'peak RSS MB': etcdPeak,
          undecided: 0,
        },
        {
          checker: 'plain Wing–Gong, no cache (200 ms cap each)',
          'total ms': ms(baseTotal),
          'worst ms': ms(baseWorst),
          'peak RSS MB': peakMb(),
          undecided: gaveUp,
        },
        {
          checker: 'Porcupine (reference, issue 3)',
          'total ms': 980,
          'worst ms': 370,
          'peak RSS MB': 32,
          undecided: 0,
        },
      ],
      notes: [
        `ours vs plain Wing–Gong: ${(baseTotal / total).toFixed(1)}x less time in total (and it decides all 102; the baseline gave up on ${gaveUp})`,
        `ours vs Porcupine reference: ${(980 / total).toFixed(2)}x (Porcupine's figure is a whole Go test process)`,
      ],
    },
  ]

  // Section 2: kv c50, partitioned: first call (starts the worker pool), warm pool, calling thread only.
  const rows: Record<string, string | number>[] = []
  const porcupine: Record<string, number> = { 'c50-ok': 300, 'c50-bad': 40, 'c10-ok': 3450, 'c10-bad': 3310 }
  for (const name of ['c50-ok', 'c50-bad']) {
    const h = kv(name)
    // Workers forced on (the default starts none while every core is busy).
    const workers = Math.max(1, availableParallelism() - 1)
    const cold = await timed(h, { model: 'kv', workers })
    const warm = await timed(h, { model: 'kv', workers })
    const solo = await timed(h, { model: 'kv', workers: 0 })
    rows.push({
      history: name,
      valid: String(warm.valid),
      'parallel, first call ms': ms(cold.ms),
      'parallel, warm ms': ms(warm.ms),
      'threads used': warm.threads,
      'single thread ms': ms(solo.ms),
      'single / parallel': Number((solo.ms / warm.ms).toFixed(2)),
      'Porcupine ms (ref)': porcupine[name],
    })
  }
  sections.push({
    title: 'linearizable: kv c50 (partitioned by key, 10 parts)',
    rows,
    notes: [`peak RSS ${peakMb()} MB; first call includes starting a worker thread (through tsx here)`],
  })

  // Section 3: unpartitioned kv c10 (one part over all 10 keys), ours vs plain Wing–Gong capped.
  const rows3: Record<string, string | number>[] = []
  for (const name of ['c10-ok', 'c10-bad']) {
    const h = kv(name)
    const r = await timed(h, { model: 'kv', partition: false })
    const b = noCache(h, 'kv', NO_CACHE_CAP_MS, false)
    rows3.push({
      history: name,
      valid: String(r.valid),
      'ours ms': ms(r.ms),
      configurations: r.configurations,
      'no-cache baseline': b.verdict.startsWith('gave up')
        ? `gave up at ${NO_CACHE_CAP_MS} ms`
        : `${ms(b.ms)} ms (${b.verdict})`,
      'Porcupine ms (ref)': porcupine[name],
      'Porcupine / ours': Number((porcupine[name] / r.ms).toFixed(2)),
    })
  }
  sections.push({
    title: 'linearizable: kv c10 unpartitioned (kv model over all keys, no per-key split)',
    rows: rows3,
    notes: [
      `peak RSS ${peakMb()} MB for the whole bench process (Porcupine reference: 373 MB)`,
      `load average during the run: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${2} cores (other jobs share the machine)`,
    ],
  })
  return sections
}
