// Starting the cluster a test run asks for through its environment (JEPSEN_DB, JEPSEN_NODES,
// JEPSEN_PROVIDER, ...): validate the config first, then make the DB automation (lib/db/make-db.ts:
// TIKV_* variables for TiKV, the --etcd-reads mode for etcd), then start the nodes, the DB and
// one client server per node (with the DB's clientServerArgs()). Used by globalSetup.ts (and the CLI).
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type ClientServerOptions, startClientServer } from '../client/server-process.ts'
import { DEFAULT_STORE } from '../config/paths.ts'
import type { NodeInfo } from '../control/remote.ts'
import type { Db, DbEndpoints } from '../db/db.ts'
import { dbFromOptions } from '../db/make-db.ts'
import type { ClientServerStart, StartedCluster } from './cluster.ts'
import { clusterFromConfig } from './clusters.ts'
import { type ClusterConfig, clusterConfigFromEnv } from './config.ts'

/** The client server of `node`: the DB's endpoints for that node (Jepsen's binding) and its arguments. */
export function clientServerOptions(
  db: Db,
  node: NodeInfo,
  endpoints: DbEndpoints,
  logFile: string,
): ClientServerOptions {
  return {
    node: node.name,
    backend: db.name,
    endpoints: endpoints.endpoints,
    logFile,
    extraArgs: db.clientServerArgs?.(),
  }
}

/** One client server per node on the control host, logging into the run's store dir (a restart appends). */
function clientServers(db: Db): ClientServerStart {
  return async (node, endpoints, run, opts) => {
    const logDir = join(run.storeDir ?? join(DEFAULT_STORE, 'clusters', run.runId), 'nodes', node.name)
    await mkdir(logDir, { recursive: true })
    const logFile = join(logDir, 'client-server.log')
    return startClientServer({ ...clientServerOptions(db, node, endpoints, logFile), waitFor: opts?.waitFor })
  }
}

export interface FromEnvResult {
  config: ClusterConfig
  cluster: StartedCluster
}

export async function startClusterFromEnv(
  env: Record<string, string | undefined> = process.env,
  log: (message: string) => void = () => {},
): Promise<FromEnvResult> {
  const config = clusterConfigFromEnv(env) // before anything is provisioned
  const db = dbFromOptions(config, env)
  const storeDir = join(DEFAULT_STORE, 'clusters')
  const builder = clusterFromConfig(config, { log })
    .withDb(db)
    .withStoreDir(storeDir)
    .withClientServers(clientServers(db))
  return { config, cluster: await builder.start() }
}
