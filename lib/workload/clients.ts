// Runner clients over the cluster's client servers: client thread t talks to the client server
// of node t mod n (as Jepsen assigns nodes to processes), through a fresh gRPC channel per
// process, and performs ops with the workload's `invoke`. Failures the workload did not map
// (a thrown error) become info completions in the runner, so nothing is lost.

import { ClientServerClient } from '../client/client.ts'
import type { ClusterInfo } from '../cluster/cluster.ts'
import type { Client, ClientFactory } from '../runner/client.ts'
import type { Workload } from './workload.ts'

export function addressOf(cluster: Pick<ClusterInfo, 'clientServers'>, node: string | undefined): string {
  const cs = cluster.clientServers.find((c) => c.node === node) ?? cluster.clientServers[0]
  if (!cs) throw new Error('the cluster has no client servers (did globalSetup start them?)')
  return cs.address
}

export function workloadClients(
  workload: Pick<Workload, 'invoke'>,
  cluster: Pick<ClusterInfo, 'clientServers'>,
  timeoutMs?: number,
): ClientFactory {
  return (): Client => {
    let client: ClientServerClient | undefined
    let node: string | undefined
    return {
      open(_process, n) {
        node = n
        client = new ClientServerClient({ address: addressOf(cluster, n), timeoutMs })
      },
      async invoke(op, signal) {
        if (!client) throw new Error('client used before open')
        return { node, ...(await workload.invoke(client, op, signal)) }
      },
      close() {
        client?.close()
        client = undefined
      },
    }
  }
}
