// Looking up nodes and their remotes in a DbContext, checking roles, and running one step on
// all nodes in parallel (lib/control/parallel.ts) with an error that says which step failed.
import { NodesError, onNodes as onRemotes } from '../control/parallel.ts'
import type { NodeInfo, Remote } from '../control/remote.ts'
import type { Db, DbContext, DbRole } from './db.ts'

export function nodeOf(ctx: Pick<DbContext, 'nodes'>, name: string): NodeInfo {
  const node = ctx.nodes.find((n) => n.name === name)
  if (!node) throw new Error(`unknown node "${name}"; nodes are ${ctx.nodes.map((n) => n.name).join(', ')}`)
  return node
}

export function remoteOf(ctx: DbContext, name: string): Remote {
  const remote = ctx.remotes.get(name)
  if (!remote)
    throw new Error(
      `no remote for node "${name}" in the DB context (have ${[...ctx.remotes.keys()].join(', ')})`,
    )
  return remote
}

/** Throws unless `role` is one of the DB's roles, naming the allowed ones. */
export function checkRole(db: Db, role: DbRole): void {
  if (!db.roles.includes(role)) {
    throw new Error(`${db.name} has no role "${role}"; allowed roles: ${db.roles.join(', ')}`)
  }
}

/** Runs `step` on every node of the context at once; one error names `what` and each failed node. */
export async function onNodes<T>(
  ctx: DbContext,
  what: string,
  step: (node: NodeInfo, remote: Remote) => Promise<T>,
): Promise<T[]> {
  const remotes = ctx.nodes.map((n) => remoteOf(ctx, n.name))
  try {
    return await onRemotes(remotes, (remote) => step(nodeOf(ctx, remote.node.name), remote))
  } catch (e) {
    if (e instanceof NodesError) throw new Error(`${what} ${e.message}`, { cause: e })
    throw e
  }
}
