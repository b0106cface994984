import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Op } from './op.ts'
import { readHistory } from './read.ts'
import { HistoryWriteError, HistoryWriter } from './writer.ts'

// Invocations only, each by its own process (a reader rejects a second invocation of an open one).
const op = (index: number): Op => ({
  index,
  time: index * 10,
  type: 'invoke',
  process: index,
  f: 'write',
  value: index,
})

test('writes JSON Lines that read back identically', () => {
  const p = join(mkdtempSync(join(tmpdir(), 'jt-w-')), 'history.jsonl')
  const w = new HistoryWriter(p)
  const ops = Array.from({ length: 1000 }, (_, i) => op(i))
  for (const o of ops) w.write(o)
  w.close()
  w.close()
  expect(readHistory(p)).toEqual(ops)
  expect(() => w.write(op(1000))).toThrow(/closed/)
})

test('buffered lines reach the disk within flushMs, before close', async () => {
  const p = join(mkdtempSync(join(tmpdir(), 'jt-w-')), 'history.jsonl')
  const w = new HistoryWriter(p, { flushMs: 10 })
  w.write(op(0))
  await new Promise((r) => setTimeout(r, 50))
  expect(readFileSync(p, 'utf8').trim().split('\n')).toHaveLength(1)
  w.close()
})

test('a process killed with SIGKILL leaves a readable prefix of whole lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jt-w-'))
  const p = join(dir, 'history.jsonl')
  const script = `
    import { HistoryWriter } from ${JSON.stringify(join(import.meta.dirname, 'writer.ts'))}
    const w = new HistoryWriter(${JSON.stringify(p)}, { flushMs: 5, maxBuffer: 512 })
    let i = 0
    setInterval(() => { for (let k = 0; k < 50; k++, i++) w.write({ index: i, time: i, type: 'invoke', process: i, f: 'w', value: i }) }, 1)
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 300)
  `
  try {
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: 'pipe',
    })
  } catch {
    // killed by design
  }
  const text = readFileSync(p, 'utf8')
  const complete = text.slice(0, text.lastIndexOf('\n') + 1)
  const h = readHistory(p)
  expect(h.length).toBeGreaterThan(100)
  expect(h.length).toBe(complete.trim().split('\n').length)
  expect(h.map((o) => o.value)).toEqual(h.map((_, i) => i))
})

test('without onError, a failing write is thrown by the next write or close, naming the file', () => {
  // /dev/full answers every write with ENOSPC (and cannot be truncated: the error says so).
  const w = new HistoryWriter('/dev/full', { flushMs: 1 })
  w.write(op(0))
  let thrown: unknown
  try {
    w.close()
  } catch (e) {
    thrown = e
  }
  expect(thrown).toBeInstanceOf(HistoryWriteError)
  expect((thrown as HistoryWriteError).message).toMatch(
    /^writing the history \/dev\/full failed after 0 ops were written: ENOSPC/,
  )
  expect(() => w.write(op(1))).toThrow(HistoryWriteError)
})

const root = process.getuid?.() === 0
describe.skipIf(!root)('on a full file system (a 64 KiB tmpfs; needs root)', () => {
  let mnt: string
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'jt-full-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'jtfull', mnt])
  })
  afterAll(() => {
    execFileSync('umount', [mnt])
    rmSync(mnt, { recursive: true })
  })

  test('a write that does not fit cuts the file back to whole lines and reports the ops it holds, once', () => {
    const p = join(mnt, 'history.jsonl')
    const errors: HistoryWriteError[] = []
    const w = new HistoryWriter(p, { maxBuffer: 1000, onError: (e) => errors.push(e) })
    // Lines of about 250 bytes, flushed every 4 lines: the last chunk only partly fits.
    const big = (i: number): Op => ({ ...op(i), value: 'x'.repeat(200) })
    let i = 0
    while (errors.length === 0 && i < 10_000) w.write(big(i++))
    expect(errors).toHaveLength(1)
    const [e] = errors
    expect(e.path).toBe(p)
    expect(e.message).toContain(
      `writing the history ${p} failed after ${e.opsWritten} ops were written: ENOSPC`,
    )
    const text = readFileSync(p, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    expect(readHistory(p)).toEqual(Array.from({ length: e.opsWritten }, (_, k) => big(k)))
    expect(e.opsWritten).toBeGreaterThan(100)
    expect(e.opsWritten).toBe(w.written)
    // Later writes and close are no-ops (the runner is stopping); the file stays as it is.
    w.write(big(i))
    w.close()
    expect(readFileSync(p, 'utf8')).toBe(text)
    expect(errors).toHaveLength(1)
  })
})
