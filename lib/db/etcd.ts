// etcd, the reference target (DESIGN §7): Debian's etcd binary shipped to every node, one
// member per node started with start-stop-daemon and a pidfile, readiness and leader lookup
// over etcd's HTTP gateway from the control host. The read mode (linearizable by default, or
// serializable = possibly stale) is a client-server setting: `clientServerArgs()` returns it
// for the cluster to pass to every client server (`--etcd-reads linearizable|serializable`).
import { access, constants } from 'node:fs/promises'
import { z } from 'zod'
import { type DaemonSpec, isAlive, signalCommand, startCommand, tail } from '../control/daemon.ts'
import type { NodeInfo, Remote } from '../control/remote.ts'
import { commandLine } from '../control/shell.ts'
import type { Db, DbContext, DbEndpoints, DbRole, DbSetupReport } from './db.ts'
import { request, requestJson } from './http.ts'
import { checkRole, nodeOf, onNodes, remoteOf } from './nodes.ts'
import { parseOptions } from './options.ts'
import { uploadIfChanged } from './upload.ts'
import { type StartStatus, superviseStart } from './wait.ts'

export const ETCD_READ_MODES = ['linearizable', 'serializable'] as const

export const etcdOptionsSchema = z
  .object({
    /** How client servers read: linearizable (quorum) or serializable (local, possibly stale). */
    reads: z.enum(ETCD_READ_MODES).default('linearizable'),
    /** etcd binary on the control host that is shipped to the nodes. */
    binary: z.string().min(1).default('/usr/bin/etcd'),
    /** How long setup waits for every member to be healthy, and start() for one member to serve. */
    startTimeoutMs: z.number().int().positive().default(60_000),
  })
  .strict()

export type EtcdOptions = z.input<typeof etcdOptionsSchema>

/** Where etcd lives on a node. */
export const ETCD_PATHS = {
  dir: '/opt/etcd',
  bin: '/opt/etcd/etcd',
  pidfile: '/opt/etcd/etcd.pid',
  log: '/opt/etcd/etcd.log',
  dataParent: '/var/lib/etcd',
  data: '/var/lib/etcd/data',
} as const

export const ETCD_CLIENT_PORT = 2379
export const ETCD_PEER_PORT = 2380

export const clientUrl = (ip: string) => `http://${ip}:${ETCD_CLIENT_PORT}`
export const peerUrl = (ip: string) => `http://${ip}:${ETCD_PEER_PORT}`

/** `n1=http://ip1:2380,n2=...` in node order. */
export function initialCluster(nodes: NodeInfo[]): string {
  return nodes.map((n) => `${n.name}=${peerUrl(n.ip)}`).join(',')
}

/** The daemon for one member; `new` bootstraps a cluster, `existing` rejoins with its data dir. */
export function etcdDaemon(
  node: NodeInfo,
  nodes: NodeInfo[],
  runId: string,
  state: 'new' | 'existing',
): DaemonSpec {
  return {
    exec: ETCD_PATHS.bin,
    pidfile: ETCD_PATHS.pidfile,
    chdir: ETCD_PATHS.dir,
    stdout: ETCD_PATHS.log,
    args: [
      '--name',
      node.name,
      '--data-dir',
      ETCD_PATHS.data,
      '--listen-peer-urls',
      peerUrl(node.ip),
      '--initial-advertise-peer-urls',
      peerUrl(node.ip),
      '--listen-client-urls',
      clientUrl(node.ip),
      '--advertise-client-urls',
      clientUrl(node.ip),
      '--initial-cluster',
      initialCluster(nodes),
      '--initial-cluster-state',
      state,
      '--initial-cluster-token',
      `jepsen-${runId}`,
    ],
  }
}

/** True when etcd's /health answer says the member sees a leader and can serve reads. */
export function etcdHealthy(status: number, body: string): boolean {
  if (status !== 200) return false
  try {
    const h = JSON.parse(body) as { health?: unknown }
    return h.health === 'true' || h.health === true
  } catch {
    return false
  }
}

interface StatusAnswer {
  header?: { member_id?: string }
  leader?: string
  raftTerm?: string
}
interface MemberListAnswer {
  members?: { ID?: string; name?: string }[]
}

/**
 * The leader's member id as seen by the member with the highest Raft term among the answers
 * (a partitioned old leader may lag behind); undefined when none reports a leader.
 */
export function leaderIdFromStatuses(statuses: StatusAnswer[]): string | undefined {
  let best: StatusAnswer | undefined
  for (const s of statuses) {
    if (!s.leader || s.leader === '0') continue
    if (!best || Number(s.raftTerm ?? 0) > Number(best.raftTerm ?? 0)) best = s
  }
  return best?.leader
}

export class EtcdDb implements Db {
  readonly name = 'etcd' as const
  readonly roles: readonly DbRole[] = ['etcd']
  readonly options: z.output<typeof etcdOptionsSchema>

  constructor(options: EtcdOptions = {}) {
    this.options = parseOptions(etcdOptionsSchema, options, 'etcd')
  }

  clientServerArgs(): string[] {
    return ['--etcd-reads', this.options.reads]
  }

  async setup(ctx: DbContext): Promise<DbSetupReport> {
    const binary = this.options.binary
    await access(binary, constants.X_OK).catch(() => {
      throw new Error(
        `etcd binary ${binary} is missing or not executable on the control host (apt-get install etcd-server)`,
      )
    })
    await this.teardown(ctx)
    await onNodes(ctx, 'etcd install', async (_node, remote) => {
      await remote.exec(commandLine(['mkdir', '-p', ETCD_PATHS.dir, ETCD_PATHS.dataParent]), { sudo: true })
      await remote.exec(commandLine(['truncate', '-s', '0', ETCD_PATHS.log]), { sudo: true })
      await uploadIfChanged(remote, binary, ETCD_PATHS.bin, 0o755)
    })
    ctx.log(`etcd: starting ${ctx.nodes.length} members`)
    await onNodes(ctx, 'etcd start', (node, remote) => this.supervise(ctx, node, remote, 'new'))
    return { restarts: {} } // etcd members are not restarted: a crash fails setup
  }

  async teardown(ctx: DbContext): Promise<void> {
    await onNodes(ctx, 'etcd teardown', async (node, remote) => {
      await remote.exec(signalCommand(etcdDaemon(node, ctx.nodes, ctx.runId, 'new'), 'KILL'), { sudo: true })
      await remote.exec(commandLine(['rm', '-rf', ETCD_PATHS.data]), { sudo: true })
    })
  }

  async kill(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    await this.signal(ctx, node, role, 'KILL')
  }

  async start(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    checkRole(this, role)
    await this.supervise(ctx, nodeOf(ctx, node), remoteOf(ctx, node), 'existing')
  }

  async pause(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    await this.signal(ctx, node, role, 'STOP')
  }

  async resume(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    await this.signal(ctx, node, role, 'CONT')
  }

  logFiles(_node: string): string[] {
    return [ETCD_PATHS.log]
  }

  async leader(ctx: DbContext): Promise<string | undefined> {
    const answers = await Promise.allSettled(
      ctx.nodes.map((n) =>
        requestJson<StatusAnswer>(`${clientUrl(n.ip)}/v3/maintenance/status`, { method: 'POST', body: {} }),
      ),
    )
    const statuses = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []))
    const leaderId = leaderIdFromStatuses(statuses)
    if (!leaderId) return undefined
    const asker = ctx.nodes[answers.findIndex((a) => a.status === 'fulfilled')]
    const members = await requestJson<MemberListAnswer>(`${clientUrl(asker.ip)}/v3/cluster/member/list`, {
      method: 'POST',
      body: {},
    })
    const name = members.members?.find((m) => m.ID === leaderId)?.name
    if (name && ctx.nodes.some((n) => n.name === name)) return name
    ctx.log(`etcd: leader id ${leaderId} (named ${name ?? 'nothing'}) is not a node of this cluster`)
    return undefined
  }

  /**
   * The node's own member only (Jepsen's binding, DESIGN §8): etcd-client balances requests over
   * every endpoint it is given, so with more than one a single cut-off member would stall every
   * node's clients, and an op's `node` would not say where it went.
   */
  endpoints(ctx: Pick<DbContext, 'nodes'>, node: string): DbEndpoints {
    return { endpoints: [clientUrl(nodeOf(ctx, node).ip)] }
  }

  private async signal(ctx: DbContext, node: string, role: DbRole, signal: 'KILL' | 'STOP' | 'CONT') {
    checkRole(this, role)
    const spec = etcdDaemon(nodeOf(ctx, node), ctx.nodes, ctx.runId, 'existing')
    await remoteOf(ctx, node).exec(signalCommand(spec, signal), { sudo: true })
  }

  /**
   * Starts a member and waits until it serves. A fresh cluster (`new`) waits for /health (a
   * leader and a quorum read); a restart (`existing`) only for the member to answer HTTP, since
   * it cannot be healthy while a majority of members is still down.
   */
  private async supervise(ctx: DbContext, node: NodeInfo, remote: Remote, state: 'new' | 'existing') {
    const spec = etcdDaemon(node, ctx.nodes, ctx.runId, state)
    const status = async (): Promise<StartStatus> => {
      const res = await request(`${clientUrl(node.ip)}/health`, { timeoutMs: 2000 }).catch(() => undefined)
      if (res && (state === 'existing' || etcdHealthy(res.status, res.body))) return 'ready'
      return (await isAlive(remote, spec)) ? 'starting' : 'crashed'
    }
    await superviseStart({
      what: `etcd on ${node.name}`,
      start: async () => {
        await remote.exec(startCommand(spec), { sudo: true })
      },
      status,
      timeoutMs: this.options.startTimeoutMs,
      restart: false,
      logTail: () => tail(remote, ETCD_PATHS.log),
      log: ctx.log,
      pollMs: 200,
    })
  }
}

/** The etcd DB (see EtcdOptions; unknown option names are rejected). */
export function etcd(options: EtcdOptions = {}): EtcdDb {
  return new EtcdDb(options)
}
