import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import type { Op } from './op.ts'
import { readHistory } from './read.ts'
import { HistoryWriter } from './writer.ts'

const op = (index: number): Op => ({
  index,
  time: index * 10,
  type: 'invoke',
  process: index % 3,
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
    setInterval(() => { for (let k = 0; k < 50; k++, i++) w.write({ index: i, time: i, type: 'invoke', process: 0, f: 'w', value: i }) }, 1)
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
