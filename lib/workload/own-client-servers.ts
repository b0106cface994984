// Client servers of a test's own (the calibrations'): one more per node of a running cluster,
// bound to its node exactly as the cluster's are (DESIGN §8), with their DB's arguments (e.g.
// etcd's serializable reads, from a Db made with that option) and extra ones (a test-only
// `--calibration` mode that breaks the DB's guarantees on purpose). They are not supervised, and
// they are stopped when the test body ends, however it ends.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type ClientServerProcess, startClientServer } from '../client/server-process.ts'
import type { ClusterInfo } from '../cluster/cluster.ts'
import { clientServerOptions } from '../cluster/from-env.ts'
import type { Db } from '../db/db.ts'

export interface OwnClientServers {
  /** Names the servers' log files: nodes/<node>/client-server-<label>.log in the cluster's store dir. */
  label: string
  /** The DB automation whose endpoints and client-server arguments the servers get. */
  db: Db
  extraArgs?: string[]
}

/** Runs `body` with the cluster's client servers replaced by freshly started ones. */
export async function withClientServers<T>(
  cluster: ClusterInfo,
  o: OwnClientServers,
  body: (cluster: ClusterInfo) => Promise<T>,
): Promise<T> {
  const started = await Promise.allSettled(
    cluster.nodes.map(async (node) => {
      const dir = join(cluster.storeDir ?? 'store', 'nodes', node.name)
      await mkdir(dir, { recursive: true })
      const options = clientServerOptions(
        o.db,
        node,
        o.db.endpoints(cluster, node.name),
        join(dir, `client-server-${o.label}.log`),
      )
      return startClientServer({
        ...options,
        extraArgs: [...(options.extraArgs ?? []), ...(o.extraArgs ?? [])],
      })
    }),
  )
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  try {
    const failed = started.find((s) => s.status === 'rejected')
    if (failed) throw failed.reason
    const clientServers = servers.map((s: ClientServerProcess) => ({
      node: s.info.node,
      address: s.info.address,
    }))
    return await body({ ...cluster, clientServers, clientServerState: undefined })
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()))
  }
}
