// List-append workload: the transactions must show no anomaly that the target's promised
// consistency model forbids (etcd: strict-serializable; TiKV: snapshot-isolation).

import { LIST_APPEND_MODEL, listAppend } from 'jepsen-tikv'
import { expectSoundRun, workloadSuite } from 'jepsen-tikv/vitest'
import { expect } from 'vitest'

workloadSuite('list-append', async ({ options, faults, run }) => {
  const r = await run(listAppend(options))
  expectSoundRun(r, faults)
  await expect(r.run.dir).toBeConsistent({
    models: [LIST_APPEND_MODEL[options.db]],
    workload: 'list-append',
    timestampOrder: options.timestampOrder,
  })
})
