// The cluster's options (JEPSEN_DB, JEPSEN_NODES, JEPSEN_PROVIDER, JEPSEN_SSH_PRIVATE_KEY, ...),
// read from the environment through the one options table (lib/config/options.ts) and validated
// before anything is provisioned: errors name the variable and the allowed values, and the
// checks across options (ssh needs a host list and a key, a host list needs ssh) run there too.
import { optionsFromEnv, type TestOptions } from '../config/options.ts'

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

/**
 * The cluster options from `env`, after validating every option (a bad JEPSEN_RATE must not
 * wait for five nodes to come up first); throws a ConfigError naming each bad variable.
 */
export function clusterConfigFromEnv(env: Record<string, string | undefined> = process.env): ClusterConfig {
  const all = optionsFromEnv(env)
  return Object.fromEntries(CLUSTER_OPTIONS.flatMap((k) => (k in all ? [[k, all[k]]] : []))) as ClusterConfig
}
