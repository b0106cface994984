// Run one action on many nodes at once; every failure is reported with its node's name.
import type { Remote } from './remote.ts'

export class NodesError extends AggregateError {}

/** Apply `fn` to every remote concurrently; resolves with results in order, or throws all failures. */
export async function onNodes<T>(
  remotes: Iterable<Remote>,
  fn: (remote: Remote) => Promise<T>,
): Promise<T[]> {
  const list = [...remotes]
  const settled = await Promise.allSettled(list.map((r) => fn(r)))
  const failures = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ node: list[i].node.name, err: s.reason }] : [],
  )
  if (failures.length > 0) {
    const lines = failures.map(({ node, err }) => {
      const message = err instanceof Error ? err.message : String(err)
      return message.includes(node) ? message : `${node}: ${message}`
    })
    throw new NodesError(
      failures.map((f) => f.err),
      `failed on ${failures.length} of ${list.length} nodes:\n  ${lines.join('\n  ')}`,
    )
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
}
