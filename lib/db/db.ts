// The contract every database automation implements (DESIGN §7): install, configure, start,
// wait ready, kill/pause per role, teardown, log files, leader lookup. Cluster providers give
// SSH-reachable nodes, so a Db only talks to nodes through `Remote`. The nemesis uses the
// per-role process controls; the client servers use `clientEndpoints`.
import type { NodeInfo, Remote } from '../control/remote.ts'

export type DbName = 'etcd' | 'tikv'

/** A process kind that faults can target: TiKV has "pd" and "kv"; etcd has "etcd". */
export type DbRole = 'pd' | 'kv' | 'etcd'

export interface DbContext {
  /** Every node of the cluster, in order; remotes are keyed by node name. */
  nodes: NodeInfo[]
  remotes: Map<string, Remote>
  /** Run id carried by every resource the run creates (for crash-safe cleanup). */
  runId: string
  /** Directory on the control host for downloads/caches shared across runs. */
  cacheDir: string
  log: (message: string) => void
}

/**
 * What a client (server) needs to reach the DB from one node's point of view. Jepsen's binding
 * (DESIGN §8): requests go to that node, so a partition cuts its clients off with it.
 */
export interface DbEndpoints {
  /** TiKV: PD addresses, the node's own first ("ip:2379"). etcd: the node's client URL ("http://ip:2379"). */
  endpoints: string[]
}

/** What a DB's setup reports about itself. */
export interface DbSetupReport {
  /**
   * Restarts the start loop needed after crashes during setup, per process that needed any
   * ("TiKV on n3": 2); empty when every process came up first time.
   */
  restarts: Record<string, number>
}

export interface Db {
  readonly name: DbName
  /** Roles that exist on every node of this DB (used by the nemesis to pick targets). */
  readonly roles: readonly DbRole[]
  /** Install binaries and configs on every node, start the cluster and wait until it serves. */
  setup(ctx: DbContext): Promise<DbSetupReport>
  /** Stop every process and remove data (by pidfile; never a broad pkill on the control host). */
  teardown(ctx: DbContext): Promise<void>
  /** SIGKILL the role's process on the given node. */
  kill(ctx: DbContext, node: string, role: DbRole): Promise<void>
  /** Start (after a kill) the role's process on the node and wait until it is ready. */
  start(ctx: DbContext, node: string, role: DbRole): Promise<void>
  /** SIGSTOP / SIGCONT the role's process on the node. */
  pause(ctx: DbContext, node: string, role: DbRole): Promise<void>
  resume(ctx: DbContext, node: string, role: DbRole): Promise<void>
  /** Absolute paths on the node of the logs worth collecting into the store. */
  logFiles(node: string): string[]
  /** Name of the node that currently leads (PD leader for TiKV, Raft leader for etcd), if any. */
  leader(ctx: DbContext): Promise<string | undefined>
  /** Endpoints a client server attached to `node` should use (see DbEndpoints). */
  endpoints(ctx: Pick<DbContext, 'nodes'>, node: string): DbEndpoints
  /**
   * Extra command-line arguments for every client server of this DB (e.g. etcd's
   * `['--etcd-reads', 'serializable']`); absent or empty when the defaults apply.
   */
  clientServerArgs?(): string[]
}
