// Grudges: who refuses traffic from whom during a partition (Jepsen's grudge). A grudge maps a
// node to the nodes whose packets it drops; a node absent from the map (or with an empty list)
// drops nothing. Every shape here is symmetric (a drops b exactly when b drops a), so it can be
// applied as INPUT rules on both sides. Randomness comes from the generator's seeded Rng so that
// a run's partitions are reproducible from its seed.

/** node -> nodes it drops packets from. */
export type Grudge = Record<string, string[]>

/** Anything that yields uniform integers in [0, n) (lib/generator's Rng). */
export interface IntSource {
  int(n: number): number
}

/** Smallest number of nodes that is more than half of `n`. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1
}

/** A shuffled copy (Fisher-Yates with the given random source). */
export function shuffle<T>(items: readonly T[], rng: IntSource): T[] {
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** Every node drops packets from every node outside its own component (a clean split). */
export function complete(components: readonly (readonly string[])[]): Grudge {
  const grudge: Grudge = {}
  for (const comp of components) {
    const others = components.filter((c) => c !== comp).flat()
    for (const node of comp) grudge[node] = others.slice().sort()
  }
  return grudge
}

/** Cuts `isolated` off from every other node. */
export function isolate(nodes: readonly string[], isolated: readonly string[]): Grudge {
  const unknown = isolated.filter((n) => !nodes.includes(n))
  if (unknown.length)
    throw new Error(`isolate: ${unknown.join(', ')} not among the nodes ${nodes.join(', ')}`)
  return complete([isolated, nodes.filter((n) => !isolated.includes(n))])
}

/** One random node isolated from the rest. */
export function one(nodes: readonly string[], rng: IntSource): Grudge {
  need('one', nodes, 2)
  return isolate(nodes, [nodes[rng.int(nodes.length)]])
}

/** A random minority (floor(n/2) nodes) cut off from the majority. */
export function halves(nodes: readonly string[], rng: IntSource): Grudge {
  need('halves', nodes, 2)
  const s = shuffle(nodes, rng)
  const cut = Math.floor(nodes.length / 2)
  return complete([s.slice(0, cut), s.slice(cut)])
}

/**
 * Overlapping majorities in a random ring: each node sees itself and its nearest neighbours on
 * both sides, enough of them to form a majority, and drops everyone else. Every node is in a
 * majority, yet no two adjacent nodes see the same set (needs at least 4 nodes to cut anything).
 */
export function ring(nodes: readonly string[], rng: IntSource): Grudge {
  need('ring', nodes, 4)
  const s = shuffle(nodes, rng)
  const n = s.length
  const reach = Math.ceil((majority(n) - 1) / 2)
  const grudge: Grudge = {}
  s.forEach((node, i) => {
    const dist = (j: number) => Math.min(Math.abs(i - j), n - Math.abs(i - j))
    grudge[node] = s.filter((_, j) => dist(j) > reach).sort()
  })
  return grudge
}

/**
 * Two halves that cannot talk to each other, and one bridge node that talks to both: each
 * half plus the bridge is a majority (n >= 3).
 */
export function bridge(nodes: readonly string[], rng: IntSource): Grudge {
  need('bridge', nodes, 3)
  const s = shuffle(nodes, rng)
  const [middle, ...rest] = s
  const cut = Math.floor(rest.length / 2)
  return { ...complete([rest.slice(0, cut), rest.slice(cut)]), [middle]: [] }
}

/** The nodes each node can still reach (itself included), derived from a grudge. */
export function reachable(nodes: readonly string[], grudge: Grudge): Record<string, string[]> {
  return Object.fromEntries(nodes.map((n) => [n, nodes.filter((m) => !(grudge[n] ?? []).includes(m))]))
}

/** Nodes that drop traffic from someone (the nodes a partition touches). */
export function grudgeNodes(grudge: Grudge): string[] {
  return Object.keys(grudge).filter((n) => grudge[n].length > 0)
}

function need(shape: string, nodes: readonly string[], min: number): void {
  if (nodes.length < min)
    throw new Error(
      `partition ${shape} needs at least ${min} nodes, got ${nodes.length} (${nodes.join(', ')})`,
    )
}
