// Network partitions: applies a grudge as iptables DROP rules inside the nodes and heals by
// deleting exactly this run's rules. A new partition first heals the previous one, so
// partitions never stack. Shapes: one, half, ring, bridge (nemesis/grudge.ts) and leader
// (isolate the node the DB names as leader: the PD leader for TiKV, the Raft leader for etcd).
import type { Remote } from '../lib/control/remote.ts'
import type { Db, DbContext } from '../lib/db/db.ts'
import { onNodes, remoteOf } from '../lib/db/nodes.ts'
import { bridge, type Grudge, halves, type IntSource, isolate, one, ring } from './grudge.ts'
import {
  deleteCommands,
  dropChainIfEmptyCommand,
  dropCommand,
  ensureChainCommand,
  listCommand,
} from './iptables.ts'

export const PARTITION_SHAPES = ['one', 'half', 'ring', 'bridge', 'leader'] as const
export type PartitionShape = (typeof PARTITION_SHAPES)[number]

/** The grudge for a shape; `leader` asks the DB and fails when no node leads. */
export async function grudgeFor(
  shape: PartitionShape,
  db: Db,
  ctx: DbContext,
  rng: IntSource,
): Promise<Grudge> {
  const names = ctx.nodes.map((n) => n.name)
  switch (shape) {
    case 'one':
      return one(names, rng)
    case 'half':
      return halves(names, rng)
    case 'ring':
      return ring(names, rng)
    case 'bridge':
      return bridge(names, rng)
    case 'leader': {
      const leader = await db.leader(ctx)
      if (!leader)
        throw new Error(
          `partition-leader: ${db.name} reports no leader right now, so there is none to isolate`,
        )
      return isolate(names, [leader])
    }
  }
}

/** Applies `grudge` on every node it names (after healing any earlier partition of this run). */
export async function applyGrudge(ctx: DbContext, grudge: Grudge): Promise<void> {
  await healPartition(ctx)
  const ipOf = new Map(ctx.nodes.map((n) => [n.name, n.ip]))
  const targets = ctx.nodes.filter((n) => (grudge[n.name] ?? []).length > 0)
  await Promise.all(
    targets.map(async (node) => {
      const ips = grudge[node.name].map((name) => {
        const ip = ipOf.get(name)
        if (!ip)
          throw new Error(`grudge names unknown node "${name}"; nodes are ${[...ipOf.keys()].join(', ')}`)
        return ip
      })
      await remoteOf(ctx, node.name).exec(`${ensureChainCommand()}\n${dropCommand(ips, ctx.runId)}`, {
        sudo: true,
      })
    }),
  )
}

/** Deletes this run's rules on every node (idempotent; other runs' rules stay). */
export async function healPartition(ctx: DbContext): Promise<void> {
  await onNodes(ctx, 'heal partition', (_node, remote) =>
    removeTaggedRules(remote, (id) => id === ctx.runId).then(() => undefined),
  )
}

/** Deletes the JEPSEN rules whose run id `remove` accepts; the chain goes too once empty. */
export async function removeTaggedRules(
  remote: Pick<Remote, 'exec'>,
  remove: (runId: string) => boolean,
): Promise<number> {
  const { stdout } = await remote.exec(listCommand(), { sudo: true })
  const deletes = deleteCommands(stdout, remove)
  await remote.exec([...deletes, dropChainIfEmptyCommand()].join('\n'), { sudo: true })
  return deletes.length
}
