// List-append workload: the transactions must show no anomaly that the target's promised
// consistency model forbids (etcd: strict-serializable; TiKV: snapshot-isolation).
import { expect } from 'vitest'
import { expectSoundRun, workloadSuite } from '../lib/workload/suite.ts'
import { LIST_APPEND_MODEL, listAppend } from './list-append.ts'

workloadSuite('list-append', async ({ options, faults, run }) => {
  const r = await run(listAppend(options))
  expectSoundRun(r, faults)
  await expect(r.run.dir).toBeConsistent({
    models: [LIST_APPEND_MODEL[options.db]],
    workload: 'list-append',
    timestampOrder: options.timestampOrder,
  })
})
