// Calibrations: every checker pipeline must be able to fail. Each test runs a workload end to end
// on the reference cluster through a deliberately weakened client, which must be reported
// invalid with the anomaly that weakening causes (stale-reads.test.ts does the same for
// linearizability):
//   - list-append, rw-register and set go through client servers started with the test-only
//     `--calibration commit-unvalidated`: a commit no longer checks that what the transaction
//     read is unchanged, so concurrent read-modify-writes overwrite each other (lost updates;
//     for the set, lost adds);
//   - bank transfers are made as two separate transactions, the debit and then the credit, so a
//     read in between sees money missing.
// Neither weakening is reachable from a jepsen-tikv option. They need no faults, so each run is
// short and fault-free.
import { expect, inject, test } from 'vitest'
import type { BankResult } from '../checker/bank.ts'
import type { ConsistencyResult } from '../checker/elle/check.ts'
import type { SetFullResult } from '../checker/set-full.ts'
import type { ClusterInfo } from '../lib/cluster/cluster.ts'
import { optionsFromEnv, type TestOptions } from '../lib/config/options.ts'
import { dbFromOptions } from '../lib/db/make-db.ts'
import { withClientServers } from '../lib/workload/own-client-servers.ts'
import { runWorkload, type WorkloadRun } from '../lib/workload/run.ts'
import { attachRun, expectSoundRun } from '../lib/workload/suite.ts'
import type { Workload } from '../lib/workload/workload.ts'
import { ACCOUNTS, bank, INITIAL } from './bank.ts'
import { listAppend } from './list-append.ts'
import { rwRegister } from './rw-register.ts'
import { set } from './set.ts'

const env = optionsFromEnv()
/** Short, fault-free and as fast as the cluster goes (rate 0), so read-modify-writes collide. */
const options: TestOptions = { ...env, timeLimit: 10, concurrency: 20, rate: 0, finalRecoveryTime: 0 }
const etcdOnly = test.skipIf(env.db !== 'etcd')

type Ctx = { annotate: Parameters<typeof attachRun>[0]['annotate']; signal: AbortSignal }

/** Runs `workload` (through `cluster`'s client servers) as a calibration and attaches its report. */
async function calibrate(
  t: Ctx,
  workload: Workload,
  cluster: ClusterInfo,
  name: string,
): Promise<WorkloadRun> {
  const run = await runWorkload(workload, { options, faults: [], cluster, name, signal: t.signal })
  await attachRun(t, run)
  expectSoundRun(run, [])
  return run
}

/** Runs with client servers whose commits do not validate what the transaction read. */
function unvalidated(t: Ctx, workload: Workload, name: string): Promise<WorkloadRun> {
  const servers = {
    label: 'commit-unvalidated',
    db: dbFromOptions(env),
    extraArgs: ['--calibration', 'commit-unvalidated'],
  }
  return withClientServers(inject('cluster'), servers, (cluster) => calibrate(t, workload, cluster, name))
}

/**
 * The transactional checker rules out serializability with one of `expected`, the anomalies
 * unvalidated commits cause.
 */
function expectAnomaly(run: WorkloadRun, checker: 'list-append' | 'rw-register', expected: string[]): void {
  const r = run.results.checkers[checker] as ConsistencyResult
  expect(r.valid, r.explanation).toBe(false)
  expect(
    r.anomalyTypes.filter((a) => expected.includes(a)),
    r.explanation,
  ).not.toEqual([])
  expect([...r.not, ...r.alsoNot], r.explanation).toContain('serializable')
}

etcdOnly('list-append with unvalidated commits is caught: lost appends (incompatible orders)', async (t) => {
  // An append is a read-modify-write of the list: two that read the same list both commit and
  // one append vanishes, so later reads disagree on the list's order (hundreds per run).
  const run = await unvalidated(t, listAppend(options), 'calibration-list-append')
  expectAnomaly(run, 'list-append', ['incompatible-order'])
})

etcdOnly('rw-register with unvalidated commits is caught: lost update / G-single / G2-item', async (t) => {
  // Two transactions read a register and both overwrite it (lost-update, G-single-item), or
  // each overwrites what the other read (G2-item); every trial run showed several of these.
  const run = await unvalidated(t, rwRegister(options), 'calibration-rw-register')
  expectAnomaly(run, 'rw-register', ['lost-update', 'G-single-item', 'G2-item'])
})

etcdOnly(
  'set with unvalidated commits (concurrent adds overwrite each other) is caught: lost elements',
  async (t) => {
    const run = await unvalidated(t, set({ ...options, linearizable: true }), 'calibration-set')
    const r = run.results.checkers['set-full'] as SetFullResult
    expect(r.valid, r.explanation).toBe(false)
    expect(r.lost.length, r.explanation).toBeGreaterThan(0)
    expect(r.explanation).toMatch(/lost \d+ element/)
  },
)

etcdOnly(
  'bank with each transfer split into a debit and a credit transaction is caught: total not conserved',
  async (t) => {
    const run = await calibrate(
      t,
      bank(options, { splitTransfers: true }),
      inject('cluster'),
      'calibration-bank',
    )
    const r = run.results.checkers.bank as BankResult
    expect(r.valid, r.explanation).toBe(false)
    const wrong = r.badReads.filter((b) => b.kind === 'wrong-total')
    expect(wrong.length, r.explanation).toBeGreaterThan(0)
    // Money in flight is missing, never created: each bad read sums to less than the total.
    for (const b of wrong)
      expect(Object.values(b.balances).reduce((x, y) => x + y, 0)).toBeLessThan(ACCOUNTS * INITIAL)
  },
)
