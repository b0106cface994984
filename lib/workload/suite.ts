// Vitest glue for workload test files: one test per fault set in JEPSEN_NEMESIS (so
// `JEPSEN_NEMESIS="none;partition;kill"` is the test-all matrix), options read and validated
// once, the cluster from globalSetup (`inject('cluster')`), the test's abort signal passed to the
// runner, and the report attached to the test (Vitest annotation + a JUnit [[ATTACHMENT|…]] line).
import { describe, expect, inject, type TestContext, test } from 'vitest'
import { CLIENT_SERVER_RESTART } from '../client/supervisor-state.ts'
import type { ClusterInfo } from '../cluster/cluster.ts'
import { optionsFromEnv, type TestOptions } from '../config/options.ts'
import { runWorkload, type WorkloadRun } from './run.ts'
import type { Workload } from './workload.ts'

export interface WorkloadTestContext {
  options: TestOptions
  faults: readonly string[]
  cluster: ClusterInfo
  /** Runs the workload under this test's faults and attaches its report to the test. */
  run(workload: Workload, name?: string): Promise<WorkloadRun>
  test: TestContext
}

/** "valid" or "INVALID: linearizable, stats" — the verdict JUnit consumers see as a property. */
export function verdictLine(run: WorkloadRun): string {
  const { valid, checkers } = run.results
  if (valid === true) return 'valid'
  const bad = Object.entries(checkers).filter(([, c]) => c.valid !== true)
  return `${valid === false ? 'INVALID' : 'UNKNOWN'}: ${bad.map(([name]) => name).join(', ')}`
}

/**
 * Attaches a stored run to its test: the verdict and the report as Vitest annotations (JUnit
 * properties) and a `[[ATTACHMENT|…]]` line that JUnit consumers pick up from the output.
 */
export async function attachRun(t: Pick<TestContext, 'annotate'>, run: WorkloadRun): Promise<void> {
  await t.annotate(verdictLine(run), 'verdict')
  await t.annotate(`report: ${run.reportPath}`, 'report', { path: run.reportPath, contentType: 'text/html' })
  console.log(`[[ATTACHMENT|${run.reportPath}]]`)
}

export const faultLabel = (faults: readonly string[]) => (faults.length ? faults.join(',') : 'no faults')

/** Declares the tests of one workload file. */
export function workloadSuite(workload: string, body: (ctx: WorkloadTestContext) => Promise<void>): void {
  const options = optionsFromEnv()
  const selected = process.env.JEPSEN_WORKLOAD === undefined || options.workload.includes(workload as never)
  describe(workload, () => {
    for (const faults of options.nemesis) {
      test.skipIf(!selected)(`${workload} under ${faultLabel(faults)} (${options.db})`, async (t) => {
        const cluster = inject('cluster')
        await body({
          options,
          faults,
          cluster,
          test: t,
          run: async (w, name) => {
            const run = await runWorkload(w, { options, faults, cluster, name, signal: t.signal })
            await attachRun(t, run)
            return run
          },
        })
      })
    }
  })
}

/**
 * What every stored run must satisfy before its verdict means anything (DESIGN §3): the history
 * is well formed (each invoke completed once, info retires its process, dense indices, monotonic
 * times), some operation of every kind succeeded, and faults were really applied.
 */
export function expectSoundRun(run: WorkloadRun, faults: readonly string[]): void {
  const { history, stats } = run.results.checkers
  expect(history.valid, history.explanation).toBe(true)
  expect(stats.valid, stats.explanation).toBe(true)
  // A fault that could not be applied is recorded with its error and the run goes on (as in
  // Jepsen), but a run whose every fault op failed tested nothing under faults.
  // The one nemesis thread alternates invocation and completion, so completions sit at odd
  // positions (client-server restarts are single info ops of the harness, not the nemesis thread's).
  const nemesisOps = run.history.filter((op) => op.process === 'nemesis' && op.f !== CLIENT_SERVER_RESTART)
  const applied = nemesisOps.filter((op, i) => i % 2 === 1 && !op.error)
  if (faults.length > 0)
    expect(applied.length, `no fault of ${faults.join(',')} was applied`).toBeGreaterThan(0)
}
