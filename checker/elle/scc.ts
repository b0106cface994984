// Strongly connected components by Tarjan's algorithm, written iteratively (an explicit stack
// instead of recursion) so that 100k-node graphs do not overflow the call stack.
import type { Graph } from './graph.ts'

/** Components with more than one node, over the edges whose labels intersect `mask`. */
export function nontrivialSccs(g: Graph, mask = 0xff): number[][] {
  const n = g.n
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack = new Int32Array(n)
  let sp = 0
  const callNode = new Int32Array(n)
  const callEdge = new Int32Array(n)
  let next = 0
  const out: number[][] = []
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue
    let depth = 0
    callNode[0] = root
    callEdge[0] = g.offsets[root]
    index[root] = low[root] = next++
    stack[sp++] = root
    onStack[root] = 1
    while (depth >= 0) {
      const v = callNode[depth]
      const end = g.offsets[v + 1]
      let e = callEdge[depth]
      let descended = false
      while (e < end) {
        const w = g.targets[e]
        const l = g.labels[e]
        e++
        if ((l & mask) === 0) continue
        if (index[w] === -1) {
          callEdge[depth] = e
          depth++
          callNode[depth] = w
          callEdge[depth] = g.offsets[w]
          index[w] = low[w] = next++
          stack[sp++] = w
          onStack[w] = 1
          descended = true
          break
        }
        if (onStack[w] && index[w] < low[v]) low[v] = index[w]
      }
      if (descended) continue
      if (low[v] === index[v]) {
        const comp: number[] = []
        let w: number
        do {
          w = stack[--sp]
          onStack[w] = 0
          comp.push(w)
        } while (w !== v)
        if (comp.length > 1) out.push(comp)
      }
      depth--
      if (depth >= 0) {
        const u = callNode[depth]
        if (low[v] < low[u]) low[u] = low[v]
      }
    }
  }
  return out
}
