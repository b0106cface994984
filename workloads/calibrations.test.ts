// Calibrations: every checker pipeline must be able to fail. Each test runs a workload end to end
// on the suite's cluster through a deliberately weakened client, which must be reported invalid
// with the anomaly that weakening causes (stale-reads.test.ts does the same for linearizability
// on etcd). On etcd, the reference cluster:
//   - list-append, rw-register and set go through client servers started with the test-only
//     `--calibration commit-unvalidated`: a commit no longer checks that what the transaction
//     read is unchanged, so concurrent read-modify-writes overwrite each other (lost updates;
//     for the set, lost adds);
//   - bank transfers are made as two separate transactions, the debit and then the credit, so a
//     read in between sees money missing.
// On TiKV (JEPSEN_DB=tikv), through client servers started with a TiKV calibration:
//   - register with `--calibration cas-get-then-put`: a raw cas is a raw get, a compare in the
//     client server and a raw put, with nothing holding the key in between, so a write or cas
//     landing there is overwritten and two cas from the same value both succeed;
//   - list-append with `--calibration stale-reads`: a transaction reads the keys it has not
//     written from a snapshot 2 s older than its start_ts (its writes and commit are its own), so
//     its reads miss what committed before it began, and an append over a stale list drops the
//     appends committed in between.
// None of these weakenings is reachable from a jepsen-tikv option. They need no faults, so each
// run is short and fault-free.
import { expect, inject, test } from 'vitest'
import type { BankResult } from '../checker/bank.ts'
import { type ConsistencyResult, checkConsistency } from '../checker/elle/check.ts'
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
import { register } from './register.ts'
import { rwRegister } from './rw-register.ts'
import { set } from './set.ts'

const env = optionsFromEnv()
/** Short, fault-free and as fast as the cluster goes (rate 0), so read-modify-writes collide. */
const options: TestOptions = { ...env, timeLimit: 10, concurrency: 20, rate: 0, finalRecoveryTime: 0 }
const etcdOnly = test.skipIf(env.db !== 'etcd')
const tikvOnly = test.skipIf(env.db !== 'tikv')

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

type Calibration = 'commit-unvalidated' | 'cas-get-then-put' | 'stale-reads'

/** Runs with client servers started with the test-only `--calibration <mode>` (for env.db). */
function calibrated(t: Ctx, mode: Calibration, workload: Workload, name: string): Promise<WorkloadRun> {
  const servers = { label: mode, db: dbFromOptions(env), extraArgs: ['--calibration', mode] }
  return withClientServers(inject('cluster'), servers, (cluster) => calibrate(t, workload, cluster, name))
}

/**
 * The transactional checker rules out serializability with one of `expected`, the anomalies
 * the calibration causes.
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
  const run = await calibrated(t, 'commit-unvalidated', listAppend(options), 'calibration-list-append')
  expectAnomaly(run, 'list-append', ['incompatible-order'])
})

etcdOnly('rw-register with unvalidated commits is caught: lost update / G-single / G2-item', async (t) => {
  // Two transactions read a register and both overwrite it (lost-update, G-single-item), or
  // each overwrites what the other read (G2-item); every trial run showed several of these.
  const run = await calibrated(t, 'commit-unvalidated', rwRegister(options), 'calibration-rw-register')
  expectAnomaly(run, 'rw-register', ['lost-update', 'G-single-item', 'G2-item'])
})

etcdOnly(
  'set with unvalidated commits (concurrent adds overwrite each other) is caught: lost elements',
  async (t) => {
    const run = await calibrated(
      t,
      'commit-unvalidated',
      set({ ...options, linearizable: true }),
      'calibration-set',
    )
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

tikvOnly('register with cas as a raw get then a raw put is caught as not linearizable', async (t) => {
  // Ten threads per key at full speed: writes and cas land between a cas's get and its put, and
  // later reads see the value of a cas that should have failed.
  const run = await calibrated(t, 'cas-get-then-put', register(options), 'calibration-register')
  const r = run.results.checkers.linearizable
  expect(r.valid, r.explanation).toBe(false)
  await expect(run.run.dir).not.toBeLinearizable({ model: 'cas-register' })
})

tikvOnly(
  'list-append reading from a 2 s old snapshot is caught: lost appends, and realtime anomalies under strict serializability',
  async (t) => {
    const run = await calibrated(t, 'stale-reads', listAppend(options), 'calibration-list-append-stale')
    // The workload checks TiKV's own model (LIST_APPEND_MODEL: snapshot isolation, which has no
    // realtime order); what breaks it is the appends over a stale list, which drop the appends
    // committed in between: two appends on one read (lost-update), reads that disagree on a list
    // (incompatible-order), and cycles through those overwrites (a simulation of this client
    // showed all of them).
    const lostAppends = ['lost-update', 'incompatible-order', 'G0', 'G-single-item', 'G-single']
    expectAnomaly(run, 'list-append', lostAppends)
    // Checked as strict serializable, the stale reads themselves show: a transaction that began
    // after another completed does not see its appends (a cycle with a realtime edge).
    const strict = checkConsistency(run.history, { workload: 'list-append', models: ['strict-serializable'] })
    expect(strict.valid, strict.explanation).toBe(false)
    expect(
      strict.anomalyTypes.filter((a) => a.endsWith('-realtime')),
      strict.explanation,
    ).not.toEqual([])
  },
)
