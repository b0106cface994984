// The model table must agree with testdata/elle/model-matrix.json (which anomalies each model
// forbids, from Elle's model definitions), and the weakest-model answer must match the
// model-boundary vectors of Elle's consistency_model_test.clj (realtime ones in their -item form:
// this checker only finds item anomalies).
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { manifest, reference } from '../../lib/history/testing/reference.ts'
import { FORBIDS, ruledOut } from './models.ts'

test('each model forbids exactly the anomalies of the matrix', () => {
  const { forbids } = JSON.parse(readFileSync(reference(manifest().elle.matrix), 'utf8')) as {
    forbids: Record<string, string[]>
  }
  expect(Object.keys(forbids)).toHaveLength(10)
  for (const [model, anomalies] of Object.entries(forbids))
    expect([...FORBIDS[model]].sort(), model).toEqual([...anomalies].sort())
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
