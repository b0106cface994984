// Calibration: the pipeline must catch a real anomaly end to end. etcd's serializable reads are
// served by whichever member the client reaches, without a quorum, so a member cut off by a
// partition answers reads with values the majority has already overwritten. The register
// workload through client servers in that mode, under repeated partition-one faults, must be
// reported NOT linearizable, with the failing read explained; the same workload with
// linearizable reads is register.test.ts, which must pass. Reads on the cut-off node are what
// expose staleness, so the mix is read-heavy, writes there time out quickly, and the run is long
// enough for five partition windows.
import { optionsFromEnv, register, runWorkload } from 'jepsen-tikv'
import { attachRun, expectSoundRun } from 'jepsen-tikv/vitest'
import { expect, inject, test } from 'vitest'
import { dbFromOptions } from '../lib/db/make-db.ts'
import { withClientServers } from '../lib/workload/own-client-servers.ts'

const options = optionsFromEnv()

test.skipIf(options.db !== 'etcd')(
  'register with etcd serializable (stale) reads under partitions is caught as not linearizable',
  async ({ annotate, signal }) => {
    // Each server talks to its own node only, so reads on the cut-off node stay there.
    const servers = { label: 'serializable', db: dbFromOptions({ ...options, etcdReads: 'serializable' }) }
    const run = await withClientServers(inject('cluster'), servers, (cluster) =>
      runWorkload(register({ ...options, concurrency: 10, rate: 20 }, { readsPerWrite: 4 }), {
        options: {
          ...options,
          concurrency: 10,
          rate: 20,
          timeLimit: Math.max(options.timeLimit, 30),
          nemesisInterval: 3,
          nemesisSchedule: 'fixed',
        },
        faults: ['partition-one'],
        cluster,
        name: 'register-stale-reads',
        // Writes on the cut-off node give up (info) after 1 s, so its threads go on reading.
        clientTimeoutMs: 1000,
        signal,
      }),
    )
    await attachRun({ annotate }, run)
    expectSoundRun(run, ['partition-one'])
    expect(run.results.checkers.linearizable.valid).toBe(false)
    expect(run.results.checkers.linearizable.explanation).toMatch(/read/)
    await expect(run.run.dir).not.toBeLinearizable({ model: 'cas-register' })
  },
)
