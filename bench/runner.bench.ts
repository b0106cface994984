// `npm run bench -- runner`: the runner's own overhead. An in-process no-op client is driven
// through the full runner (generator, scheduler, workers, history in memory, and optionally
// the JSONL writer) at concurrency 10 and 100, against a baseline raw loop that calls the same
// client directly from `concurrency` async loops with no generator, in the same run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Context } from '../lib/generator/index.ts'
import { clients, independent, limit, mix, repeat, stagger } from '../lib/generator/index.ts'
import type { Op } from '../lib/history/op.ts'
import type { Client } from '../lib/runner/client.ts'
import { runTest } from '../lib/runner/run.ts'
import type { BenchSection } from './main.ts'

const OPS = 200_000

const noopClient = (): Client => ({
  open() {},
  async invoke() {
    return { type: 'ok' }
  },
  close() {},
})

async function rawLoop(concurrency: number): Promise<number> {
  const client = noopClient()
  const op: Op = { index: 0, time: 0, type: 'invoke', process: 0, f: 'noop' }
  const signal = new AbortController().signal
  let left = OPS
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await client.invoke(op, signal)
    }),
  )
  return OPS / ((performance.now() - t0) / 1000)
}

/** Achieved rate of stagger(dt) in real time: a timer that fires late delays every later op. */
async function staggered(dt: number): Promise<number> {
  const ops = Math.min(2000, Math.round(1 / dt))
  const r = await runTest({
    generator: clients(limit(ops, stagger(dt, repeat({ f: 'noop' })))),
    clientFactory: noopClient,
    concurrency: 10,
    seed: 1,
  })
  return r.counts.ok / (r.durationMs / 1000)
}

/** A register-workload-shaped generator: keys owned by groups of 10 threads, random read/write/cas. */
const perKey = () =>
  limit(
    100,
    mix([
      repeat({ f: 'read' }),
      (ctx: Context) => ({ f: 'write', value: ctx.rng.int(5) }),
      (ctx: Context) => ({ f: 'cas', value: [ctx.rng.int(5), ctx.rng.int(5)] }),
    ]),
  )

async function runner(concurrency: number, historyPath?: string, keyed = false): Promise<number> {
  const t0 = performance.now()
  const r = await runTest({
    generator: clients(
      limit(OPS, keyed ? independent.concurrent(10, (i) => i, perKey) : repeat({ f: 'noop' })),
    ),
    clientFactory: noopClient,
    concurrency,
    seed: 1,
    historyPath,
  })
  if (r.counts.ok !== OPS) throw new Error(`runner bench: expected ${OPS} ok ops, got ${r.counts.ok}`)
  return OPS / ((performance.now() - t0) / 1000)
}

export default async function (): Promise<BenchSection[]> {
  const dir = mkdtempSync(join(tmpdir(), 'runner-bench-'))
  const rows: Record<string, string | number>[] = []
  try {
    await runner(10) // warm-up
    for (const concurrency of [10, 100]) {
      const raw = await rawLoop(concurrency)
      const mem = await runner(concurrency)
      const file = await runner(concurrency, join(dir, `h${concurrency}.jsonl`))
      const keyed = await runner(concurrency, undefined, true)
      const row = (what: string, rate: number) => ({
        concurrency,
        what,
        'ops/s': Math.round(rate),
        'vs raw loop': `${(rate / raw).toFixed(3)}x`,
      })
      rows.push(
        row('raw loop (baseline)', raw),
        row('runner, history in memory', mem),
        row('runner + JSONL history', file),
        row('runner, independent.concurrent(10) of mix', keyed),
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const rates: Record<string, string | number>[] = []
  for (const dt of [0.01, 0.001, 0.0002]) {
    const rate = await staggered(dt)
    rates.push({
      'stagger dt (s)': dt,
      'target ops/s': 1 / dt,
      'achieved ops/s': Math.round(rate),
      ratio: (rate * dt).toFixed(3),
    })
  }
  return [
    { title: 'stagger in real time: achieved vs target rate (concurrency 10, no-op client)', rows: rates },
    {
      title: `runner overhead: ${OPS} no-op client ops`,
      rows,
      notes: [
        'target: runner >= 20,000 ops/s on 2 cores; raw loop = same client called directly, no generator',
      ],
    },
  ]
}
