// Starting the cluster a test run asks for through its environment (JEPSEN_DB, JEPSEN_NODES,
// JEPSEN_PROVIDER, ...): validate the config first, then load the DB automation and the client
// server launcher, then start. Used by globalSetup.ts (and the CLI).
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
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
  const options = config.db === 'tikv' && config.tikvVersion ? { version: config.tikvVersion } : {}
  return (factory as (o: object) => Db)(options)
}

/**
 * The client server launcher (lib/client/server-process.ts, export `startClientServer`), or
 * undefined while that module does not exist yet.
 */
async function loadClientServers(db: Db, storeDir: string): Promise<ClientServerStart | undefined> {
  const path = join(ROOT, 'lib', 'client', 'server-process.ts')
  if (!existsSync(path)) return undefined
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  const start = mod.startClientServer
  if (typeof start !== 'function') throw new Error(`${path} does not export a function "startClientServer"`)
  return (node, endpoints) =>
    start({ node, endpoints, db: db.name, args: db.clientServerArgs?.() ?? [], storeDir })
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
  const builder = clusterFromConfig(config, { log }).withDb(db).withStoreDir(storeDir)
  const clientServers = await loadClientServers(db, storeDir)
  if (clientServers) builder.withClientServers(clientServers)
  else log('client servers: lib/client/server-process.ts does not exist yet; none started')
  return { config, cluster: await builder.start() }
}
