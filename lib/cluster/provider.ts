// What a cluster provider does (DESIGN §6): create or reach SSH-reachable nodes for one run,
// recording every resource it creates in the run registry (so that cleanup needs no provider).
import type { NodeInfo } from '../control/remote.ts'
import type { RunRegistration } from './registry.ts'

export type ProviderName = 'local' | 'lxc' | 'ssh'

export interface ProvisionContext {
  runId: string
  /** The run's own directory on the control host (keys, known_hosts, node dirs). */
  runDir: string
  registration: RunRegistration
  /** Names of the DB's data dirs to make private per node, e.g. ["/var/lib/etcd"]. */
  dataDirs: string[]
  log: (message: string) => void
}

export interface Provider {
  readonly name: ProviderName
  /** Number of nodes this provider will give. */
  readonly nodeCount: number
  /** Create (or reach) the nodes; resolves once sshd on each is up and its host key recorded. */
  provision(ctx: ProvisionContext): Promise<NodeInfo[]>
}
