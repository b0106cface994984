// The polling wait and the restart loop: values, restarts, and messages that name what did
// not come up and the last thing seen.
import { describe, expect, test } from 'vitest'
import { type StartStatus, superviseStart, waitFor } from './wait.ts'

describe('waitFor', () => {
  test('returns the first defined value, treating throws as "not yet"', async () => {
    const answers = [() => undefined, () => Promise.reject(new Error('503')), () => 42]
    let i = 0
    expect(await waitFor('x', 10_000, async () => answers[i++](), 0)).toBe(42)
    expect(i).toBe(3)
  })

  test('times out naming what and the last error', async () => {
    await expect(
      waitFor('a PD leader', 0, async () => {
        throw new Error('no PD answered')
      }),
    ).rejects.toThrow('a PD leader did not become ready within 0 s (last: no PD answered)')
  })
})

describe('superviseStart', () => {
  const run = (statuses: StartStatus[], o: { restart: boolean; timeoutMs?: number; tail?: string }) => {
    let starts = 0
    let i = 0
    const done = superviseStart({
      what: 'TiKV on n1',
      start: async () => {
        starts++
      },
      status: async () => statuses[Math.min(i++, statuses.length - 1)],
      timeoutMs: o.timeoutMs ?? 60_000,
      restart: o.restart,
      logTail: async () => o.tail ?? 'last line\n',
      fatal: /invalid configuration/,
      pollMs: 0,
    })
    return { done, starts: () => starts }
  }

  test('restarts after each crash until ready', async () => {
    const r = run(['starting', 'crashed', 'starting', 'crashed', 'ready'], { restart: true })
    expect(await r.done).toBe(2)
    expect(r.starts()).toBe(3)
  })

  test('without restarts a crash fails with the output', async () => {
    const r = run(['crashed'], { restart: false })
    await expect(r.done).rejects.toThrow('TiKV on n1 exited during startup; last output:\nlast line')
    expect(r.starts()).toBe(1)
  })

  test('fatal output fails at once even with restarts', async () => {
    const r = run(['crashed', 'ready'], { restart: true, tail: '[FATAL] invalid configuration: x\n' })
    await expect(r.done).rejects.toThrow('TiKV on n1 failed to start (invalid configuration)')
    expect(r.starts()).toBe(1)
  })

  test('alive but never ready fails at the deadline', async () => {
    const r = run(['starting'], { restart: true, timeoutMs: 0 })
    await expect(r.done).rejects.toThrow(
      'TiKV on n1 did not become ready within 0 s (alive but not serving, 0 restarts)',
    )
  })
})
