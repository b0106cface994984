// Choosing which nodes a process fault hits (Jepsen's node specs): one, minority, majority,
// all, a random non-empty subset, or an explicit list of node names.
import { type IntSource, majority, shuffle } from './grudge.ts'

export const NODE_SPECS = ['one', 'minority', 'majority', 'all', 'random'] as const
export type NodeSpec = (typeof NODE_SPECS)[number] | readonly string[]

/** The nodes `spec` picks out of `nodes` (explicit lists are checked against them). */
export function selectNodes(spec: NodeSpec, nodes: readonly string[], rng: IntSource): string[] {
  if (Array.isArray(spec)) {
    const unknown = spec.filter((n) => !nodes.includes(n))
    if (unknown.length || spec.length === 0)
      throw new Error(
        `node list ${JSON.stringify(spec)} must name at least one of the nodes ${nodes.join(', ')}` +
          (unknown.length ? `; unknown: ${unknown.join(', ')}` : ''),
      )
    return [...spec]
  }
  const s = shuffle(nodes, rng)
  const take = (k: number) => s.slice(0, k).sort()
  switch (spec) {
    case 'one':
      return take(1)
    case 'minority':
      return take(Math.max(1, majority(nodes.length) - 1))
    case 'majority':
      return take(majority(nodes.length))
    case 'all':
      return [...nodes]
    case 'random':
      return take(1 + rng.int(nodes.length))
    default:
      throw new Error(
        `unknown node spec ${JSON.stringify(spec)}; allowed: ${NODE_SPECS.join(', ')} or a list of node names`,
      )
  }
}
