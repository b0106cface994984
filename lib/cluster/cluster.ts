// The testcontainers-style cluster API shared by the global-setup entry and users' scripts:
//   const cluster = await new LocalCluster({ nodes: 5 }).withDb(etcd()).withClientServers(start).start()
//   inject/provide(cluster.info) ... await cluster.stop()
// start() removes leftovers of dead runs, provisions nodes, connects over ssh (host keys
// checked), sets up the DB and starts one client server per node, each phase under a timeout
// whose error names what did not come up. The client servers are supervised from then on
// (lib/client/supervisor.ts: restarted when they exit or hang; ClusterInfo.clientServerState
// tells the workers where each one answers now). stop() always tries every step and reports all
// failures.
import { mkdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import {
  ClientServerSupervisor,
  type SupervisedProcess,
  type SupervisionTimings,
} from '../client/supervisor.ts'
import { onNodes } from '../control/parallel.ts'
import type { NodeInfo, Remote } from '../control/remote.ts'
import { SshRemote } from '../control/ssh.ts'
import type { Db, DbContext, DbEndpoints, DbName } from '../db/db.ts'
import { cleanupDeadRuns, problemCollector, removeRun } from './cleanup.ts'
import { newRunId, shortTag } from './naming.ts'
import type { Provider, ProviderName } from './provider.ts'
import { DEFAULT_STATE_DIR, RunRegistration, runDir } from './registry.ts'

/** A client server running for one node (lib/client/server-process.ts gives these). */
export type ClientServerHandle = SupervisedProcess
/**
 * Starts a client server for a node. `waitFor: 'server'` (a restart mid-run) waits only until the
 * server answers, not its backend: the node may be partitioned or down at that moment.
 */
export type ClientServerStart = (
  node: NodeInfo,
  endpoints: DbEndpoints,
  run: { runId: string; storeDir?: string },
  opts?: { waitFor?: 'backend' | 'server' },
) => Promise<ClientServerHandle>

/** Connection info of a started cluster; structured-cloneable (for Vitest `provide`). */
export interface ClusterInfo {
  runId: string
  provider: ProviderName
  db?: DbName
  nodes: NodeInfo[]
  /** Where each client server was first started (lib/client/directory.ts maps to where it is now). */
  clientServers: { node: string; address: string }[]
  /** The client-server supervisor's state file (lib/client/supervisor-state.ts), when started. */
  clientServerState?: string
  /** Where stop() collects node logs (<storeDir>/nodes/<node>/), if set. */
  storeDir?: string
  /** Milliseconds each start phase took (provision, ssh, db, clientServers, total). */
  timings: Record<string, number>
  /** Restarts the DB's start loop needed during setup, per process that needed any (DbSetupReport). */
  dbRestarts?: Record<string, number>
}

export interface ClusterOptions {
  /** Registry and run dirs (default /var/lib/jepsen-tikv). */
  stateDir?: string
  /** Control-host cache for DB downloads (default <stateDir>/cache). */
  cacheDir?: string
  log?: (message: string) => void
  /** Per-phase timeouts in ms (defaults: provision 60 s, ssh 30 s, db 120 s, clientServers 60 s). */
  timeouts?: Partial<Record<'provision' | 'ssh' | 'db' | 'clientServers', number>>
  /** Health-check and restart settings of the client-server supervisor (lib/client/supervisor.ts). */
  supervision?: Partial<SupervisionTimings>
}

const DEFAULT_TIMEOUTS = { provision: 60_000, ssh: 30_000, db: 120_000, clientServers: 60_000 }

/** Run `fn` but fail after `ms` with an error naming the phase. */
async function phase<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([fn(), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Data dirs each node gets privately: /var/lib/<db> (every DB keeps its data there). */
function dataDirsFor(db: Db | undefined): string[] {
  return db ? [`/var/lib/${db.name}`] : []
}

export class Cluster {
  private db: Db | undefined
  private clientServerStart: ClientServerStart | undefined
  private storeDir: string | undefined

  constructor(
    readonly provider: Provider,
    private readonly opts: ClusterOptions = {},
  ) {}

  withDb(db: Db): this {
    this.db = db
    return this
  }

  withClientServers(start: ClientServerStart): this {
    this.clientServerStart = start
    return this
  }

  /** Collect node logs into <dir>/<runId>/nodes/<node>/ when the cluster stops. */
  withStoreDir(dir: string): this {
    this.storeDir = dir
    return this
  }

  async start(): Promise<StartedCluster> {
    const t0 = performance.now()
    const stateDir = this.opts.stateDir ?? DEFAULT_STATE_DIR
    const log = this.opts.log ?? (() => {})
    const timeouts = { ...DEFAULT_TIMEOUTS, ...this.opts.timeouts }
    const cleaned = await cleanupDeadRuns(stateDir)
    if (cleaned.removedRuns.length > 0)
      log(`removed leftovers of dead runs: ${cleaned.removedRuns.join(', ')}`)
    for (const p of cleaned.problems) log(`cleanup problem: ${p}`)

    const runId = newRunId()
    const registration = await RunRegistration.create(stateDir, runId, this.provider.name, shortTag(runId))
    const started = new StartedCluster(stateDir, registration, this.db, log, {
      runId,
      provider: this.provider.name,
      db: this.db?.name,
      nodes: [],
      clientServers: [],
      storeDir: this.storeDir && join(this.storeDir, runId),
      timings: {},
    })
    const mark = (name: string, since: number) => {
      started.info.timings[name] = Math.round(performance.now() - since)
      return performance.now()
    }
    try {
      let t = performance.now()
      started.info.nodes = await phase(
        `provisioning ${this.provider.nodeCount} ${this.provider.name} nodes`,
        timeouts.provision,
        () =>
          this.provider.provision({
            runId,
            runDir: runDir(stateDir, runId),
            registration,
            dataDirs: dataDirsFor(this.db),
            log,
          }),
      )
      t = mark('provision', t)
      const remotes = await phase('ssh on every node', timeouts.ssh, () =>
        Promise.all(
          started.info.nodes.map((n) => SshRemote.connect(n, { connectTimeoutMs: timeouts.ssh, log })),
        ),
      )
      for (const r of remotes) started.remotes.set(r.node.name, r)
      t = mark('ssh', t)
      if (this.db) {
        const db = this.db
        const report = await phase(
          `${db.name} setup on ${started.info.nodes.length} nodes`,
          timeouts.db,
          () => db.setup(started.dbContext(this.opts.cacheDir ?? join(stateDir, 'cache'))),
        )
        started.info.dbRestarts = report.restarts
        t = mark('db', t)
      }
      if (this.clientServerStart) {
        const startServer = this.clientServerStart
        const db = this.db
        const nodeNamed = new Map(started.info.nodes.map((n) => [n.name, n]))
        const start = (name: string, waitFor: 'backend' | 'server') => {
          const node = nodeNamed.get(name) as NodeInfo
          const endpoints = db ? db.endpoints(started.dbContext(), name) : { endpoints: [] }
          return startServer(node, endpoints, started.info, { waitFor })
        }
        const stateFile = join(runDir(stateDir, runId), 'client-servers.json')
        const supervisor = new ClientServerSupervisor({
          ...this.opts.supervision,
          stateFile,
          restart: (name) => start(name, 'server'),
          log,
        })
        started.supervisor = supervisor
        started.info.clientServerState = stateFile
        await phase('client servers', timeouts.clientServers, () =>
          Promise.all(
            started.info.nodes.map(async (node) => {
              const handle = await start(node.name, 'backend')
              supervisor.add(handle)
              started.info.clientServers.push({ node: node.name, address: handle.info.address })
            }),
          ),
        )
        started.info.clientServers.sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }))
        t = mark('clientServers', t)
      }
      mark('total', t0)
      log(
        `cluster ${runId} ready: ${JSON.stringify(started.info.timings)}, DB start restarts ${JSON.stringify(started.info.dbRestarts ?? {})}`,
      )
      return started
    } catch (err) {
      await started.stop().catch((stopErr: Error) => log(`cleanup after failed start: ${stopErr.message}`))
      throw err
    }
  }
}

/** A running cluster: its connection info, its remotes, and stop(). */
export class StartedCluster {
  readonly remotes = new Map<string, Remote>()
  /** Owns the client servers once they are started. */
  supervisor: ClientServerSupervisor | undefined
  private stopped = false

  constructor(
    readonly stateDir: string,
    readonly registration: RunRegistration,
    readonly db: Db | undefined,
    private readonly log: (message: string) => void,
    readonly info: ClusterInfo,
  ) {}

  dbContext(cacheDir = join(this.stateDir, 'cache')): DbContext {
    return { nodes: this.info.nodes, remotes: this.remotes, runId: this.info.runId, cacheDir, log: this.log }
  }

  /** Download the DB's log files of every node into <dir>/nodes/<node>/ (missing files are skipped). */
  async collectLogs(dir: string): Promise<void> {
    const db = this.db
    if (!db) return
    await onNodes(this.remotes.values(), async (remote) => {
      const target = join(dir, 'nodes', remote.node.name)
      await mkdir(target, { recursive: true })
      for (const file of db.logFiles(remote.node.name)) {
        const { code } = await remote.exec(`test -f '${file}'`, { check: false })
        if (code === 0) await remote.download(file, join(target, basename(file)))
      }
    })
  }

  /**
   * Stop client servers, collect logs (if a store dir is set), tear the DB down, close ssh and
   * remove every resource of the run. Every step is tried; all failures are reported together.
   */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    const { problems, attempt } = problemCollector()
    const supervisor = this.supervisor
    if (supervisor) await attempt('client servers', () => supervisor.stop())
    const db = this.db
    if (db && this.remotes.size > 0) {
      if (this.info.storeDir)
        await attempt('collect logs', () => this.collectLogs(this.info.storeDir as string))
      await attempt(`${db.name} teardown`, () => db.teardown(this.dbContext()))
    }
    await Promise.all([...this.remotes.values()].map((r) => attempt(`ssh ${r.node.name}`, () => r.close())))
    problems.push(...(await removeRun(this.stateDir, this.registration.record)))
    if (problems.length > 0) {
      throw new Error(`stopping cluster ${this.info.runId} left problems:\n  ${problems.join('\n  ')}`)
    }
  }
}
