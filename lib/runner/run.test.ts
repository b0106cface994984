// The runner with in-process test clients: one completion per invocation, process retirement
// on info or throw (with a fresh client), time limit and abort with drain deadlines, per-op
// deadlines, nemesis ops in the same history, progress, determinism under a seed, and the
// history streamed to disk.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { independent, limit, log, mix, repeat, sequence, sleep, stagger } from '../generator/index.ts'
import { clients } from '../generator/threads.ts'
import type { Op } from '../history/op.ts'
import { historyProblems } from '../history/pairs.ts'
import { readHistory } from '../history/read.ts'
import type { Client, Completion, Nemesis } from './client.ts'
import type { Progress } from './progress.ts'
import { runTest } from './run.ts'

const dir = mkdtempSync(join(tmpdir(), 'runner-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A client whose answer to each op is decided by `answer`; records opens and closes. */
function testClients(answer: (op: Op, signal: AbortSignal) => Promise<Completion> | Completion) {
  const opened: number[] = []
  let closed = 0
  const factory = (): Client => ({
    open(process) {
      opened.push(process)
    },
    invoke: answer,
    close() {
      closed++
    },
  })
  return { factory, opened, closed: () => closed }
}

const never = (signal: AbortSignal) =>
  new Promise<Completion>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms))
const invokes = (h: Op[]) => h.filter((o) => o.type === 'invoke')
const noTimes = (h: Op[]) => h.map(({ time: _, ...o }) => o)

describe('runTest', () => {
  test('every invoke gets exactly one completion; nemesis ops share the history', async () => {
    const c = testClients(async (op) => {
      await sleepMs(op.index % 3)
      if (op.index % 7 === 0) throw new Error(`client broke on op ${op.index}`)
      return { type: (['ok', 'fail', 'info'] as const)[op.index % 3], value: op.f === 'read' ? 1 : undefined }
    })
    const nemesisOps: string[] = []
    const nemesis: Nemesis = { invoke: (op) => void nemesisOps.push(op.f) }
    const r = await runTest({
      generator: clients(
        limit(200, mix([repeat({ f: 'read' }), sequence((i) => ({ f: 'write', value: i }))])),
        repeat(3, { f: 'kill', type: 'info' }),
      ),
      clientFactory: c.factory,
      nemesis,
      concurrency: 5,
      seed: 1,
    })
    expect(historyProblems(r.history, { complete: true })).toEqual([])
    expect(r.stop).toBe('exhausted')
    expect(r.counts.invokes).toBe(200)
    expect(r.counts.ok + r.counts.fail + r.counts.info).toBe(200)
    expect(nemesisOps).toEqual(['kill', 'kill', 'kill'])
    expect(r.history.filter((o) => o.process === 'nemesis').map((o) => o.type)).toEqual(Array(6).fill('info'))
    expect(r.history.every((o) => Number.isInteger(o.time) && o.time >= 0)).toBe(true)
    expect(r.history.find((o) => o.error?.startsWith('client broke'))?.type).toBe('info')
  })

  test("a completion's transaction timestamps are recorded on it and streamed to disk", async () => {
    const ts = { start: '443762935392895012', commit: '443762935392895044', mode: 'async-commit' as const }
    const c = testClients((op) =>
      op.index === 0 ? { type: 'ok', ts } : { type: 'fail', ts: { start: '9' } },
    )
    const historyPath = join(dir, 'ts.jsonl')
    const r = await runTest({
      generator: clients(limit(2, repeat({ f: 'txn', value: [] }))),
      clientFactory: c.factory,
      concurrency: 1,
      seed: 1,
      historyPath,
    })
    expect(r.history.map((o) => o.ts)).toEqual([undefined, ts, undefined, { start: '9' }])
    expect(readHistory(historyPath)).toEqual(r.history)
  })

  test('info or a throw retires the process: the thread continues as process + concurrency with a new client', async () => {
    const c = testClients((op) => {
      if (op.f === 'crash') throw new Error('connection reset')
      return { type: op.f === 'maybe' ? 'info' : 'ok' }
    })
    const r = await runTest({
      generator: clients(
        limit(
          12,
          repeat((ctx) => ({ f: ['ok', 'maybe', 'crash'][ctx.rng.int(3)] })),
        ),
      ),
      clientFactory: c.factory,
      concurrency: 2,
      seed: 3,
    })
    expect(historyProblems(r.history, { complete: true })).toEqual([])
    const retired = r.history.filter((o) => o.type === 'info').map((o) => o.process as number)
    expect(retired.length).toBeGreaterThan(0)
    for (const p of retired) {
      // The info is the retired process's last op; its thread goes on as p + concurrency.
      expect(r.history.filter((o) => o.process === p).at(-1)?.type).toBe('info')
      const next = r.history.find((o) => (o.process as number) % 2 === p % 2 && (o.process as number) > p)
      if (next) expect(next.process).toBe(p + 2)
    }
    expect(r.history.find((o) => o.f === 'crash' && o.type === 'info')?.error).toBe('connection reset')
    // One client per process that ran; all closed at the end.
    const processes = new Set(invokes(r.history).map((o) => o.process))
    expect(new Set(c.opened)).toEqual(new Set([0, 1, ...processes]))
    expect(c.closed()).toBe(c.opened.length)
  })

  test('a client that cannot open fails its op (it certainly did not happen), naming the process', async () => {
    const r = await runTest({
      generator: clients({ f: 'read' }),
      clientFactory: () => ({
        open(p) {
          throw new Error(`node refused process ${p}`)
        },
        invoke: () => ({ type: 'ok' }),
        close() {},
      }),
      concurrency: 1,
      nodes: ['n1'],
      seed: 1,
    })
    expect(r.history[1]).toMatchObject({
      type: 'fail',
      error: 'could not open a client for process 0 on n1: node refused process 0',
    })
  })

  test('a bad completion type becomes info with an error saying what was expected', async () => {
    const r = await runTest({
      generator: clients({ f: 'read' }),
      clientFactory: testClients(() => ({ type: 'done' }) as unknown as Completion).factory,
      concurrency: 1,
      seed: 1,
    })
    expect(r.history[1].type).toBe('info')
    expect(r.history[1].error).toMatch(
      /client returned "done" for read \(op 0\); expected type ok, fail or info/,
    )
  })

  test('the time limit ends generation; ops in flight are awaited, then recorded as info', async () => {
    const c = testClients((op, signal) => (op.process === 0 ? never(signal) : { type: 'ok' }))
    const r = await runTest({
      generator: clients(stagger(0.002, repeat({ f: 'read' }))),
      clientFactory: c.factory,
      concurrency: 2,
      timeLimitMs: 60,
      drainTimeoutMs: 30,
      seed: 1,
    })
    expect(r.stop).toBe('time-limit')
    expect(historyProblems(r.history, { complete: true })).toEqual([])
    const last = r.history.filter((o) => o.process === 0).at(-1)!
    expect(last).toMatchObject({
      type: 'info',
      error: 'still in flight 30 ms after the time limit ended the run; outcome unknown',
    })
    expect(r.counts.ok).toBeGreaterThan(0)
  })

  test('slow ops in flight at the time limit complete normally within the drain deadline', async () => {
    const r = await runTest({
      generator: clients(repeat({ f: 'read' })),
      clientFactory: testClients(async () => {
        await sleepMs(25)
        return { type: 'ok' }
      }).factory,
      concurrency: 3,
      timeLimitMs: 40,
      seed: 1,
    })
    expect(historyProblems(r.history, { complete: true })).toEqual([])
    expect(r.history.filter((o) => o.type !== 'invoke').every((o) => o.type === 'ok')).toBe(true)
  })

  test('an abort stops the run and leaves a complete, flushed history file', async () => {
    const historyPath = join(dir, 'abort.jsonl')
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('Ctrl-C')), 40)
    const c = testClients((op, signal) => (op.process === 1 ? never(signal) : { type: 'ok' }))
    const r = await runTest({
      generator: clients(stagger(0.002, repeat({ f: 'read' })), repeat(sleep(0.01))),
      clientFactory: c.factory,
      concurrency: 3,
      seed: 9,
      historyPath,
      signal: ac.signal,
    })
    expect(r.stop).toBe('aborted')
    expect(historyProblems(r.history, { complete: true })).toEqual([])
    expect(r.history.filter((o) => o.process === 1).at(-1)).toMatchObject({
      type: 'info',
      error: 'the run was aborted (Ctrl-C)',
    })
    expect(readHistory(historyPath)).toEqual(r.history)
    expect(c.closed()).toBe(c.opened.length)
  })

  test('a client that ignores the abort has its op recorded as info when the grace runs out', async () => {
    const ac = new AbortController()
    setTimeout(() => ac.abort(new Error('test timeout')), 20)
    const r = await runTest({
      generator: clients({ f: 'write', value: 1 }),
      clientFactory: testClients(() => new Promise<Completion>(() => {})).factory,
      concurrency: 1,
      drainTimeoutMs: 30,
      seed: 1,
      signal: ac.signal,
    })
    expect(r.history).toHaveLength(2)
    expect(r.history[1]).toMatchObject({
      type: 'info',
      value: 1,
      error: 'still in flight 30 ms after the run was aborted (test timeout); outcome unknown',
    })
  })

  test('opTimeoutMs: an unanswered op completes as info, aborts its signal and retires the process', async () => {
    let aborted = 0
    const r = await runTest({
      generator: clients(limit(2, repeat({ f: 'read' }))),
      clientFactory: testClients((_op, signal) => {
        signal.addEventListener('abort', () => aborted++)
        return new Promise<Completion>(() => {})
      }).factory,
      concurrency: 1,
      opTimeoutMs: 20,
      seed: 1,
    })
    expect(r.history.map((o) => `${o.type} ${o.process}`)).toEqual([
      'invoke 0',
      'info 0',
      'invoke 1',
      'info 1',
    ])
    expect(r.history[1].error).toBe('no answer within opTimeoutMs=20 ms; outcome unknown')
    expect(aborted).toBe(2)
  })

  test('is deterministic under a seed (apart from times); another seed differs', async () => {
    const run = (seed: number) =>
      runTest({
        generator: clients(
          limit(100, mix([repeat({ f: 'read' }), (ctx) => ({ f: 'write', value: ctx.rng.int(100) })])),
          repeat(2, { f: 'kill' }),
        ),
        clientFactory: testClients(async (op) => ({ type: op.index % 5 ? 'ok' : 'info' })).factory,
        concurrency: 4,
        seed,
      })
    const [a, b, c] = [await run(7), await run(7), await run(8)]
    expect(noTimes(b.history)).toEqual(noTimes(a.history))
    expect(noTimes(c.history)).not.toEqual(noTimes(a.history))
  })

  test('progress comes at a steady interval with counts and the nemesis faults, then a final report', async () => {
    const reports: Progress[] = []
    const r = await runTest({
      generator: clients(stagger(0.002, repeat({ f: 'read' })), [{ f: 'start-partition' }]),
      clientFactory: testClients(() => ({ type: 'ok' })).factory,
      nemesis: { invoke: () => undefined, faults: () => 'partition n1 | n2 n3' },
      concurrency: 2,
      timeLimitMs: 150,
      progressIntervalMs: 10,
      onProgress: (p) => reports.push(p),
      seed: 1,
    })
    expect(reports.length).toBeGreaterThanOrEqual(2)
    const last = reports.at(-1)!
    expect(last.done).toBe(true)
    expect(last).toMatchObject({ ok: r.counts.ok, invokes: r.counts.invokes, inFlight: 0 })
    expect(last.faults).toBe('partition n1 | n2 n3')
    expect(reports.slice(0, -1).every((p) => !p.done)).toBe(true)
  })

  test('log and sleep ops are done by a worker and stay out of the history', async () => {
    const logs: string[] = []
    const r = await runTest({
      generator: clients([log('phase 1'), { f: 'a' }, sleep(0.01), { f: 'b' }]),
      clientFactory: testClients(() => ({ type: 'ok' })).factory,
      concurrency: 1,
      log: (m) => logs.push(m),
      seed: 1,
    })
    expect(logs).toEqual(['phase 1'])
    expect(r.history.map((o) => o.f)).toEqual(['a', 'a', 'b', 'b'])
  })

  test('nemesis errors become info ops with the message; setup and teardown run once', async () => {
    const calls: string[] = []
    const r = await runTest({
      generator: clients(null, [{ f: 'kill' }]),
      clientFactory: testClients(() => ({ type: 'ok' })).factory,
      nemesis: {
        setup: () => void calls.push('setup'),
        invoke: () => {
          throw new Error('ssh to n3 timed out')
        },
        teardown: () => void calls.push('teardown'),
      },
      concurrency: 1,
      seed: 1,
    })
    expect(calls).toEqual(['setup', 'teardown'])
    expect(r.history[1]).toMatchObject({
      process: 'nemesis',
      type: 'info',
      error: 'nemesis threw: ssh to n3 timed out',
    })
  })

  test('a generator emitting an op for a busy process is an error, and no invocation is left open', async () => {
    const historyPath = join(dir, 'busy.jsonl')
    const run = runTest({
      generator: [clients({ f: 'slow' }), { f: 'again', process: 0 }],
      clientFactory: testClients(async () => {
        await sleepMs(20)
        return { type: 'ok' }
      }).factory,
      concurrency: 2,
      seed: 1,
      historyPath,
    })
    await expect(run).rejects.toThrow(/generator emitted again for process 0, whose thread 0 is busy/)
    expect(historyProblems(readHistory(historyPath), { complete: true })).toEqual([])
  })

  test('client ops are recorded as invocations even when the generator gives them type info', async () => {
    const r = await runTest({
      generator: clients({ f: 'read', type: 'info' }),
      clientFactory: testClients(() => ({ type: 'ok' })).factory,
      concurrency: 1,
      seed: 1,
    })
    expect(r.history.map((o) => o.type)).toEqual(['invoke', 'ok'])
  })

  test('a generator error stops the run, completes the history on disk and is thrown', async () => {
    const historyPath = join(dir, 'gen-error.jsonl')
    const run = runTest({
      generator: [
        clients(limit(3, repeat({ f: 'read' }))),
        clients(independent.concurrent(2, [1], () => ({ f: 'r' }))),
      ],
      clientFactory: testClients(() => ({ type: 'ok' })).factory,
      concurrency: 3,
      seed: 1,
      historyPath,
    })
    await expect(run).rejects.toThrow(/concurrency 3 \(client threads\) is not a multiple of n=2/)
    const h = readHistory(historyPath)
    expect(historyProblems(h, { complete: true })).toEqual([])
    expect(invokes(h).length).toBeGreaterThanOrEqual(3)
  })

  test('a history that cannot be written stops the run at once; the nemesis still tears down (heals)', async () => {
    const calls: string[] = []
    // Endless generator, no time limit: only the failed write can end this run.
    const run = runTest({
      generator: clients(repeat({ f: 'read' }), repeat({ f: 'kill', type: 'info' })),
      clientFactory: testClients(async () => {
        await sleepMs(1)
        return { type: 'ok' }
      }).factory,
      nemesis: { invoke: () => undefined, teardown: () => void calls.push('teardown') },
      concurrency: 2,
      seed: 1,
      historyPath: '/dev/full', // every write fails with ENOSPC
    })
    await expect(run).rejects.toThrow(
      /^writing the history \/dev\/full failed after 0 ops were written: ENOSPC/,
    )
    expect(calls).toEqual(['teardown'])
  })

  test('monitor events are recorded as nemesis info ops while the run goes on', async () => {
    let report: ((e: { f: string; value?: unknown; error?: string }) => void) | undefined
    const stops: string[] = []
    const r = await runTest({
      generator: clients(
        limit(
          20,
          repeat(() => {
            report?.({ f: 'client-server-restart', value: { node: 'n2' } })
            report = undefined
            return { f: 'read' }
          }),
        ),
      ),
      clientFactory: testClients(() => ({ type: 'ok' })).factory,
      monitors: [
        {
          start: (rep) => {
            report = rep
          },
          stop: () => void stops.push('stop'),
        },
      ],
      concurrency: 1,
      seed: 1,
    })
    const events = r.history.filter((o) => o.process === 'nemesis')
    expect(events).toEqual([
      expect.objectContaining({ type: 'info', f: 'client-server-restart', value: { node: 'n2' } }),
    ])
    expect(stops).toEqual(['stop'])
    expect(historyProblems(r.history, { complete: true })).toEqual([])
  })
})
