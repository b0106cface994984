// Runner clients over the cluster's client servers: client thread t talks to the client server
// of node t mod n (as Jepsen assigns nodes to processes), through a fresh gRPC channel per
// process, and performs ops with the workload's `invoke`. The address comes from the
// ClientServerDirectory, so when the supervisor has restarted a node's server on a new port the
// next op goes there (a new channel; no op is in flight on the old one). Failures the workload did
// not map (a thrown error) become info completions in the runner, so nothing is lost.

import { ClientServerClient } from '../client/client.ts'
import type { ClientServerDirectory } from '../client/directory.ts'
import type { Client, ClientFactory } from '../runner/client.ts'
import type { Workload } from './workload.ts'

export function workloadClients(
  workload: Pick<Workload, 'invoke'>,
  directory: Pick<ClientServerDirectory, 'address'>,
  timeoutMs?: number,
): ClientFactory {
  return (): Client => {
    let client: ClientServerClient | undefined
    let node: string | undefined
    return {
      open(_process, n) {
        node = n
        client = new ClientServerClient({ address: directory.address(n), timeoutMs })
      },
      async invoke(op, signal) {
        if (!client) throw new Error('client used before open')
        const address = directory.address(node)
        if (client.address !== address) {
          client.close()
          client = new ClientServerClient({ address, timeoutMs })
        }
        return { node, ...(await workload.invoke(client, op, signal)) }
      },
      close() {
        client?.close()
        client = undefined
      },
    }
  }
}
