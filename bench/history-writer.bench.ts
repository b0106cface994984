// `npm run bench -- history-writer`: throughput of the streaming JSONL HistoryWriter
// (lib/history/writer.ts) writing a register-style history op by op, against a baseline of one
// fs.writeFileSync of the same bytes (and of serializing + writing them in one go), in one run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Op } from '../lib/history/op.ts'
import { HistoryWriter } from '../lib/history/writer.ts'
import type { BenchSection } from './main.ts'

const OPS = 500_000

function history(): Op[] {
  const fs = ['read', 'write', 'cas']
  return Array.from({ length: OPS }, (_, i) => {
    const f = fs[i % 3]
    const value = f === 'read' ? null : f === 'write' ? i % 5 : [i % 5, (i + 1) % 5]
    return {
      index: i,
      time: i * 12_345,
      type: i % 2 ? 'ok' : 'invoke',
      process: i % 10,
      f,
      key: String(i % 7),
      value,
    }
  })
}

function timed(fn: () => void): number {
  const t0 = performance.now()
  fn()
  return (performance.now() - t0) / 1000
}

export default async function (): Promise<BenchSection[]> {
  const dir = mkdtempSync(join(tmpdir(), 'writer-bench-'))
  const ops = history()
  const rows: Record<string, string | number>[] = []
  try {
    const bytes = ops.map((o) => `${JSON.stringify(o)}\n`).join('')
    const mb = Buffer.byteLength(bytes) / 1e6
    const base = timed(() => writeFileSync(join(dir, 'base.jsonl'), bytes))
    const whole = timed(() =>
      writeFileSync(join(dir, 'whole.jsonl'), ops.map((o) => `${JSON.stringify(o)}\n`).join('')),
    )
    const path = join(dir, 'writer.jsonl')
    const streamed = timed(() => {
      const w = new HistoryWriter(path)
      for (const o of ops) w.write(o)
      w.close()
    })
    if (readFileSync(path, 'utf8') !== bytes)
      throw new Error('history-writer bench: the writer wrote different bytes')
    const row = (what: string, s: number) => ({
      what,
      'ops/s': Math.round(OPS / s),
      'MB/s': Math.round(mb / s),
      'time vs writeFileSync': `${(s / base).toFixed(2)}x`,
    })
    rows.push(
      row('writeFileSync of the bytes (baseline)', base),
      row('stringify all + one writeFileSync', whole),
      row('HistoryWriter, op by op (+ fsync)', streamed),
    )
    return [{ title: `JSONL history writer: ${OPS} ops, ${mb.toFixed(1)} MB`, rows }]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
