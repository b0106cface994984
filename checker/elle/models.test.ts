// The model table must agree with shared/notes/elle-model-matrix.txt, and the weakest-model
// answer must match the model-boundary vectors of cases.md's appendix (realtime ones in their
// -item form: this checker only finds item anomalies).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { FORBIDS, ruledOut } from './models.ts'

const MATRIX = join(import.meta.dirname, '../../../shared/notes/elle-model-matrix.txt')
const COLUMNS: Record<string, string> = {
  RU: 'read-uncommitted',
  RC: 'read-committed',
  RA: 'read-atomic',
  RR: 'repeatable-read',
  SI: 'snapshot-isolation',
  SER: 'serializable',
  'SS-SI': 'strong-session-snapshot-isolation',
  'S-SI': 'strong-snapshot-isolation',
  'SS-SER': 'strong-session-serializable',
  SSER: 'strict-serializable',
}

test('each matrix column forbids exactly the anomalies marked X', () => {
  const lines = readFileSync(MATRIX, 'utf8').split('\n')
  const header = lines.findIndex((l) => l.startsWith('anomaly'))
  const cols = lines[header].trim().split(/\s+/).slice(1)
  const rows = lines.slice(header + 1).filter((l) => l.trim() !== '')
  expect(rows.length).toBeGreaterThan(20)
  for (const [i, col] of cols.entries()) {
    const model = COLUMNS[col]
    const marked = rows
      .map((r) => r.trim().split(/\s+/))
      .filter((c) => c[i + 1] === 'X')
      .map((c) => c[0])
    expect([...FORBIDS[model]].sort(), model).toEqual(marked.sort())
  }
})

test.each([
  [[], [], []],
  [['G1a'], ['read-committed'], null],
  [['internal'], ['read-atomic'], null],
  [['G2', 'internal'], ['read-atomic'], null],
  [['G-single'], ['consistent-view'], null],
  [['lost-update'], ['cursor-stability', 'update-atomic'], null],
  [['G-single-item-realtime'], ['strong-snapshot-isolation'], ['strict-serializable']],
  [['cyclic-versions'], ['read-uncommitted'], null],
])('anomalies %j rule out %j', (found, not, alsoNot) => {
  const r = ruledOut(found)
  expect(r.not).toEqual(not)
  if (alsoNot) expect(r.alsoNot).toEqual(alsoNot)
})
