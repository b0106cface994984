// Looking up nodes and their remotes in a DbContext, and running one step on many nodes in
// parallel so that one node's failure does not hide another's: every failure is reported.
import type { NodeInfo, Remote } from '../control/remote.ts'
import type { Db, DbContext, DbRole } from './db.ts'

export function nodeOf(ctx: DbContext, name: string): NodeInfo {
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

/** Runs `step` on every node at once; waits for all and throws one error listing each failed node. */
export async function onNodes<T>(
  ctx: DbContext,
  what: string,
  step: (node: NodeInfo, remote: Remote) => Promise<T>,
): Promise<T[]> {
  const results = await Promise.allSettled(ctx.nodes.map((n) => step(n, remoteOf(ctx, n.name))))
  const failed = results.flatMap((r, i) =>
    r.status === 'rejected'
      ? [`${ctx.nodes[i].name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`]
      : [],
  )
  if (failed.length) throw new Error(`${what} failed on ${failed.length} node(s):\n${failed.join('\n')}`)
  return results.map((r) => (r as PromiseFulfilledResult<T>).value)
}
