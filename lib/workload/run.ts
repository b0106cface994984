// Runs one workload against a started cluster under one set of faults: the run's store directory
// and test.json, the nemesis (healed in every case: normal end, failure, Ctrl-C), the runner
// with live progress, node and client-server logs, every checker, results.json and report.html.
// The phases are Jepsen's: the workload and the fault schedule together until the time limit,
// then heal everything and wait the recovery time, then the workload's final ops.
// Clients follow their node's client server when the supervisor restarts it, and each restart
// is recorded in the history (lib/client/directory.ts) and counted by checker/client-servers.ts.
// A history that cannot be written (a full disk) stops the run: the cluster is healed, the
// reserved results.json says "unknown" and why, and the HistoryWriteError is thrown.
import { copyFileSync, existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import { checkClientServers } from '../../checker/client-servers.ts'
import { type CheckResult, mergeValidity } from '../../checker/result.ts'
import { checkStats } from '../../checker/stats.ts'
import { healOnSignal, nemesisPackage } from '../../nemesis/index.ts'
import { ClientServerClient } from '../client/client.ts'
import { ClientServerDirectory } from '../client/directory.ts'
import type { ClusterInfo } from '../cluster/cluster.ts'
import type { TestOptions } from '../config/options.ts'
import { DEFAULT_STORE } from '../config/paths.ts'
import type { Remote } from '../control/remote.ts'
import { SshRemote } from '../control/ssh.ts'
import type { DbContext } from '../db/db.ts'
import { dbFromOptions } from '../db/make-db.ts'
import { Rng } from '../generator/random.ts'
import { clients, nemesis, phases } from '../generator/threads.ts'
import { stagger, timeLimit } from '../generator/timing.ts'
import type { Op } from '../history/op.ts'
import { historyProblems } from '../history/pairs.ts'
import { HistoryWriteError } from '../history/writer.ts'
import { writeReport } from '../report/report.ts'
import { createRun, type Run, type RunResults, uncheckedResults } from '../run-store/store.ts'
import { formatProgress } from '../runner/progress.ts'
import { runTest, type StopReason } from '../runner/run.ts'
import { workloadClients } from './clients.ts'
import { staggerInterval, type Workload } from './workload.ts'

export interface RunWorkloadOptions {
  options: TestOptions
  /** The faults enabled together in this run (one entry of options.nemesis). */
  faults: readonly string[]
  cluster: ClusterInfo
  /** Store test name (default: the workload's name). */
  name?: string
  signal?: AbortSignal
  /** Deadline of each client-server call in ms (default: the client's, 5 s). */
  clientTimeoutMs?: number
  /** Where progress and phase lines go (default console.log with the workload's name). */
  log?: (line: string) => void
  /** The store the run is written to (default: $JEPSEN_STORE or ./store). */
  storeRoot?: string
}

export interface WorkloadRun {
  run: Run
  history: Op[]
  results: RunResults
  reportPath: string
  stop: StopReason
}

/** Progress every 2 s on a terminal, every 10 s otherwise (CI logs stay short). */
const progressInterval = () => (process.stdout.isTTY ? 2_000 : 10_000)

/** Every check of a run's history: the workload's own, stats, structure and client servers (results.json's `checkers`). */
export async function checkRunHistory(
  workload: Workload,
  history: Op[],
): Promise<Record<string, CheckResult>> {
  return {
    ...(await workload.check(history, { timeLimitMs: 120_000 })),
    stats: checkStats(history),
    history: structure(history),
    'client-servers': checkClientServers(history),
  }
}

export async function runWorkload(workload: Workload, o: RunWorkloadOptions): Promise<WorkloadRun> {
  const { options, cluster } = o
  const run = createRun(o.name ?? workload.name, o.storeRoot ?? DEFAULT_STORE)
  const log = (line: string) => {
    run.log(line)
    ;(o.log ?? ((l: string) => console.log(`[${workload.name}] ${l}`)))(line)
  }
  run.writeTest({
    name: o.name ?? workload.name,
    workload: workload.name,
    nemesis: [...o.faults],
    db: options.db,
    seed: options.seed,
    startedAt: new Date().toISOString(),
    options: { ...options, nemesis: [...o.faults] },
    nodes: cluster.nodes.map((n) => n.name),
    versions: { db: options.db === 'tikv' ? options.version : 'debian etcd-server', runId: cluster.runId },
  })
  run.reserveResults()
  log(`store: ${run.dir}`)

  const remotes = new Map<string, Remote>()
  const db = dbFromOptions(options)
  const directory = new ClientServerDirectory(cluster)
  let healProblems: string[] = []
  try {
    for (const r of await Promise.all(cluster.nodes.map((n) => SshRemote.connect(n, { log }))))
      remotes.set(r.node.name, r)
    const ctx: DbContext = {
      nodes: cluster.nodes,
      remotes,
      runId: cluster.runId,
      cacheDir: join(options.stateDir, 'cache'),
      log,
    }
    const aborter = new AbortController()
    const onAbort = () => aborter.abort(o.signal?.reason)
    o.signal?.addEventListener('abort', onAbort)
    const pkg = nemesisPackage(
      { ...options, faults: o.faults },
      {
        db,
        ctx,
        rng: new Rng((options.seed ^ 0x5eed) >>> 0),
        // The failed op is recorded either way; with --nemesis-errors abort the run also stops.
        abort: options.nemesisErrors === 'abort' ? (e) => aborter.abort(e) : undefined,
        log: (m) => log(`nemesis: ${m}`),
      },
    )
    const unhook = healOnSignal(pkg.nemesis)
    let result: Awaited<ReturnType<typeof runTest>>
    try {
      if (workload.setup) {
        const c = new ClientServerClient({ address: directory.address(cluster.nodes[0].name) })
        try {
          await workload.setup(c)
        } finally {
          c.close()
        }
      }
      const dt = staggerInterval(options)
      const main = dt > 0 ? stagger(dt, workload.generator) : workload.generator
      log(`running for ${options.timeLimit} s with faults: ${o.faults.join(', ') || 'none'}`)
      result = await runTest({
        generator: phases(
          timeLimit(options.timeLimit, clients(main, pkg.generator)),
          nemesis(pkg.final),
          clients(workload.final),
        ),
        clientFactory: workloadClients(workload, directory, o.clientTimeoutMs),
        nemesis: pkg.nemesis,
        monitors: [directory.monitor()],
        concurrency: options.concurrency,
        seed: options.seed,
        historyPath: run.historyPath,
        nodes: cluster.nodes.map((n) => n.name),
        signal: aborter.signal,
        opTimeoutMs: 15_000,
        progressIntervalMs: progressInterval(),
        onProgress: (p) => log(formatProgress(p)),
        log,
      })
    } finally {
      healProblems = await pkg.nemesis.healAll()
      for (const p of healProblems) log(`heal: ${p}`)
      unhook()
      o.signal?.removeEventListener('abort', onAbort)
    }
    log(
      `stopped (${result.stop}) after ${(result.durationMs / 1000).toFixed(1)} s; checking ${result.history.length} ops`,
    )
    for (const e of result.errors) log(`runner: ${e}`)
    await collectLogs(run, cluster, db.logFiles.bind(db), remotes, log)

    const checkers = await checkRunHistory(workload, result.history)
    const results: RunResults = {
      valid: mergeValidity(Object.values(checkers).map((c) => c.valid)),
      checkers,
    }
    run.writeResults(results)
    const reportPath = writeReport(run.dir)
    log(`verdict: ${results.valid} — report: ${reportPath}`)
    return { run, history: result.history, results, reportPath, stop: result.stop }
  } catch (e) {
    if (e instanceof HistoryWriteError) recordUnwritableHistory(run, e, healProblems, log)
    throw e
  } finally {
    await Promise.allSettled([...remotes.values()].map((r) => r.close()))
  }
}

/** The verdict of a run whose history could not be written: unknown, never one over a prefix. */
function recordUnwritableHistory(
  run: Run,
  e: HistoryWriteError,
  healProblems: string[],
  log: (line: string) => void,
): void {
  try {
    run.writeResultsInPlace(
      uncheckedResults('history', `${e.message}; no checker ran on the partial history`),
    )
  } catch (err) {
    log(
      `results: cannot write ${run.resultsPath} (${(err as Error).message}); it says the run did not finish`,
    )
  }
  const healed = healProblems.length ? `healing failed: ${healProblems.join('; ')}` : 'the cluster was healed'
  log(`verdict: unknown — ${e.message} (${healed})`)
}

/** DESIGN §3 structure of the recorded history, as a checker result. */
function structure(history: Op[]): CheckResult {
  const problems = historyProblems(history, { complete: true })
  return {
    checker: 'history',
    valid: problems.length === 0,
    explanation: problems.length ? problems.slice(0, 5).join('; ') : `${history.length} ops, well formed`,
    problems,
  }
}

/** Copies each node's DB logs and its client server's log into nodes/<node>/ of the run. */
async function collectLogs(
  run: Run,
  cluster: ClusterInfo,
  logFiles: (node: string) => string[],
  remotes: Map<string, Remote>,
  log: (line: string) => void,
): Promise<void> {
  await Promise.all(
    cluster.nodes.map(async (n) => {
      const dir = run.nodeDir(n.name)
      for (const f of logFiles(n.name)) {
        await remotes
          .get(n.name)
          ?.download(f, join(dir, basename(f)))
          .catch((e: Error) => log(`logs: ${n.name}:${f}: ${e.message}`))
      }
      // Client servers log into the cluster's store dir (<store>/clusters/<runId>/nodes/<node>/).
      const cs = cluster.storeDir && join(cluster.storeDir, 'nodes', n.name, 'client-server.log')
      if (cs && existsSync(cs)) copyFileSync(cs, join(dir, 'client-server.log'))
    }),
  )
}
