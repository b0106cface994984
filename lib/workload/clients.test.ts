// Runner clients follow their node's client server: a restart on a new port moves the next op
// of an open client to a fresh channel at the new address.
import { expect, test } from 'vitest'
import type { Op } from '../history/op.ts'
import { workloadClients } from './clients.ts'

test('each op goes to the address the directory gives for the node now', async () => {
  const addresses: Record<string, string> = { n1: '127.0.0.1:1001', n2: '127.0.0.1:1002' }
  const factory = workloadClients(
    { invoke: async (client) => ({ type: 'ok', value: client.address }) },
    { address: (node) => addresses[node ?? 'n1'] },
  )
  const client = factory()
  await client.open(1, 'n2')
  const op: Op = { index: 0, time: 0, type: 'invoke', process: 1, f: 'read' }
  const signal = new AbortController().signal
  expect(await client.invoke(op, signal)).toEqual({ node: 'n2', type: 'ok', value: '127.0.0.1:1002' })
  addresses.n2 = '127.0.0.1:2002'
  expect(await client.invoke(op, signal)).toEqual({ node: 'n2', type: 'ok', value: '127.0.0.1:2002' })
  await client.close()
})
