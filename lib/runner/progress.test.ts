// The one-line progress format the harness prints while a run goes.
import { expect, test } from 'vitest'
import { formatProgress } from './progress.ts'

const base = {
  elapsedMs: 12_345,
  invokes: 10,
  ok: 7,
  fail: 1,
  info: 1,
  inFlight: 1,
  opsPerSec: 812.4,
  done: false,
}

test('formatProgress shows time, rate, counts, in-flight ops and the faults when there are some', () => {
  expect(formatProgress({ ...base, faults: '' })).toBe('12.3s 812 ops/s | ok 7 fail 1 info 1 | in flight 1')
  expect(formatProgress({ ...base, faults: 'partition n1 | n2 n3' })).toBe(
    '12.3s 812 ops/s | ok 7 fail 1 info 1 | in flight 1 | faults: partition n1 | n2 n3',
  )
})
