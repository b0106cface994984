// For cluster tests and their child processes: a DbContext (ssh remotes to every node, the
// etcd DB) for the cluster that globalSetup provides, under a given run id.
import type { ClusterInfo } from '../../lib/cluster/cluster.ts'
import { SshRemote } from '../../lib/control/ssh.ts'
import type { DbContext } from '../../lib/db/db.ts'

export async function connect(info: Pick<ClusterInfo, 'nodes'>, runId: string): Promise<DbContext> {
  const remotes = await Promise.all(info.nodes.map((n) => SshRemote.connect(n)))
  return {
    nodes: info.nodes,
    remotes: new Map(remotes.map((r) => [r.node.name, r])),
    runId,
    cacheDir: '/tmp/jepsen-cache',
    log: () => {},
  }
}

export async function disconnect(ctx: DbContext): Promise<void> {
  await Promise.all([...ctx.remotes.values()].map((r) => r.close()))
}
