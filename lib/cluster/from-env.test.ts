// Jepsen's binding as the cluster starts it (DESIGN §8): the client server of node n is given
// node n's endpoints only (etcd), or node n's PD first (TiKV, whose client must then reach
// region leaders anywhere).
import { describe, expect, test } from 'vitest'
import { clientServerArgs } from '../client/server-process.ts'
import { fakeContext } from '../db/fake-remote.ts'
import { makeDb } from '../db/make-db.ts'
import { clientServerOptions } from './from-env.ts'

const endpointsArg = (args: string[]) => args[args.indexOf('--endpoints') + 1]

describe('client server arguments per node', () => {
  const { ctx } = fakeContext(3)
  const argsFor = (db: ReturnType<typeof makeDb>, node: string) => {
    const info = ctx.nodes.find((n) => n.name === node)!
    return clientServerArgs(clientServerOptions(db, info, db.endpoints(ctx, node), '/tmp/cs.log'))
  }

  test('etcd: each client server talks to its own member only', () => {
    const etcd = makeDb('etcd')
    expect(ctx.nodes.map((n) => endpointsArg(argsFor(etcd, n.name)))).toEqual([
      'http://10.0.0.1:2379',
      'http://10.0.0.2:2379',
      'http://10.0.0.3:2379',
    ])
    expect(argsFor(etcd, 'n2')).toEqual(expect.arrayContaining(['--backend', 'etcd', '--exit-with-stdin']))
    // The read mode is the DB's: one --etcd-reads, the one it was made with.
    const stale = argsFor(makeDb('etcd', { reads: 'serializable' }), 'n2')
    expect(stale.filter((a) => a === '--etcd-reads')).toHaveLength(1)
    expect(stale[stale.indexOf('--etcd-reads') + 1]).toBe('serializable')
  })

  test("tikv: each client server asks its own node's PD first, then the others", () => {
    const tikv = makeDb('tikv', {}, {})
    expect(endpointsArg(argsFor(tikv, 'n3'))).toBe('10.0.0.3:2379,10.0.0.1:2379,10.0.0.2:2379')
    expect(endpointsArg(argsFor(tikv, 'n1'))).toBe('10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379')
    expect(argsFor(tikv, 'n1')).toEqual(expect.arrayContaining(['--backend', 'tikv']))
  })
})
