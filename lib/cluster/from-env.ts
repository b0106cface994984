// Starting the cluster a test run asks for through its environment (JEPSEN_DB, JEPSEN_NODES,
// JEPSEN_PROVIDER, ...): validate the config first, then load the DB automation, then start the
// nodes, the DB and one client server per node. Used by globalSetup.ts (and the CLI).
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startClientServer } from '../client/server-process.ts'
import type { Db } from '../db/db.ts'
import type { ClientServerStart, StartedCluster } from './cluster.ts'
import { clusterFromConfig } from './clusters.ts'
import { type ClusterConfig, clusterConfigFromEnv } from './config.ts'

const ROOT = join(import.meta.dirname, '..', '..')

/** The DB automation module for a DB name: lib/db/<name>.ts exporting a factory named <name>. */
async function loadDb(config: ClusterConfig): Promise<Db> {
  const path = join(ROOT, 'lib', 'db', `${config.db}.ts`)
  if (!existsSync(path)) throw new Error(`JEPSEN_DB=${config.db}: ${path} does not exist`)
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  const factory = mod[config.db]
  if (typeof factory !== 'function')
    throw new Error(`${path} does not export a factory function "${config.db}"`)
  const options = config.db === 'tikv' ? { version: config.version } : {}
  return (factory as (o: object) => Db)(options)
}

/** One client server per node on the control host, logging into the run's store dir. */
function clientServers(db: Db): ClientServerStart {
  return async (node, endpoints, run) => {
    const logDir = join(run.storeDir ?? join(ROOT, 'store', 'clusters', run.runId), 'nodes', node.name)
    await mkdir(logDir, { recursive: true })
    const server = await startClientServer({
      node: node.name,
      backend: db.name,
      endpoints: endpoints.endpoints,
      logFile: join(logDir, 'client-server.log'),
      extraArgs: db.clientServerArgs?.(),
    })
    return { address: server.info.address, stop: () => server.stop() }
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
  const db = await loadDb(config)
  const storeDir = join(ROOT, 'store', 'clusters')
  const builder = clusterFromConfig(config, { log })
    .withDb(db)
    .withStoreDir(storeDir)
    .withClientServers(clientServers(db))
  return { config, cluster: await builder.start() }
}
