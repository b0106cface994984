// Worker threads start only for histories big enough to gain from them: one still running after
// the start-up delay gets workers only while enough parts are left unstarted to hand out.
import { expect, test } from 'vitest'
import { readHistory } from '../../lib/history/read.ts'
import { reference } from '../../lib/history/testing/reference.ts'
import { analyze } from './index.ts'
import { workerCount, workersFor } from './pool.ts'

test('no worker thread starts when too few parts are left to hand out', async () => {
  // Five keys: the calling thread takes four at once, leaving one, not worth a thread.
  const keys = new Set(['0', '1', '2', '3', '4'])
  const five = readHistory(reference('porcupine/test_data/kv/c50-ok.txt')).filter((op) => keys.has(op.key!))
  const r = await analyze(five, { model: 'kv', workers: 1, workerDelayMs: 0 })
  expect(r.valid).toBe(true)
  expect(r.parts).toBe(5)
  expect(r.threads).toBe(1)
  expect(workerCount()).toBe(0)
})

test('a history still running after the delay, with parts left to hand out, gets a worker', async () => {
  const big = readHistory(reference('porcupine/test_data/kv/c50-ok.txt'))
  const r = await analyze(big, { model: 'kv', workers: 1, workerDelayMs: 0 })
  expect(r.valid).toBe(true)
  expect(workerCount()).toBe(1)
})

test("workers are started only for idle cores, never for the calling thread's", () => {
  expect(workersFor(2, 0.8)).toBe(1)
  expect(workersFor(2, 1.5)).toBe(0)
  expect(workersFor(2, 8)).toBe(0)
  expect(workersFor(8, 2.5)).toBe(5)
  expect(workersFor(8, 0)).toBe(7)
  expect(workersFor(1, 0)).toBe(0)
})
