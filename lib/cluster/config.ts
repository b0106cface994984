// The cluster's options (JEPSEN_DB, JEPSEN_NODES, JEPSEN_PROVIDER, JEPSEN_SSH_PRIVATE_KEY, ...),
// read from the environment through the one options table (lib/config/options.ts) and validated
// before anything is provisioned: errors name the variable and the allowed values, and the
// checks across options (ssh needs a host list and a key, a host list needs ssh) run there too.
import { readOptions, type TestOptions } from '../config/options.ts'

/** The options a cluster (nodes, DB and client servers) is built from. */
export const CLUSTER_OPTIONS = [
  'db',
  'provider',
  'nodes',
  'sshPrivateKey',
  'sshUser',
  'leaveDbRunning',
  'stateDir',
  'version',
  'etcdReads',
] as const

export type ClusterConfig = Pick<TestOptions, (typeof CLUSTER_OPTIONS)[number]>

/** Parse and validate the cluster options from `env`; throws a ConfigError naming each bad variable. */
export function clusterConfigFromEnv(env: Record<string, string | undefined> = process.env): ClusterConfig {
  return readOptions(CLUSTER_OPTIONS, env)
}
