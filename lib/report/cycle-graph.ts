// Layout of a transactional anomaly's dependency cycle as a small graph: transactions on a
// circle, one curved, labelled arrow per dependency edge (ww / wr / rw / realtime / timestamp /
// process).
// The template turns the coordinates into SVG; nothing here touches the DOM.

export interface CycleStep {
  /** Label of the transaction the edge leaves, e.g. "T12". */
  from: string
  to: string
  /** Dependency kind: ww, wr, rw, realtime, timestamp, process. */
  edge: string
  key?: string
  value?: string
}

export interface CycleNode {
  id: string
  x: number
  y: number
  /** A second, smaller line inside the node (e.g. "op 12"). */
  note?: string
}

export interface CycleEdge {
  edge: string
  label: string
  /** SVG path data (quadratic curve) ending just outside the target node. */
  d: string
  lx: number
  ly: number
}

export interface CycleLayout {
  width: number
  /** The picture spans y from `top` to `top + height` (a flat cycle is cropped). */
  top: number
  height: number
  r: number
  nodes: CycleNode[]
  edges: CycleEdge[]
}

const NODE_R = 22
const MARGIN = 70

const round = (n: number) => Math.round(n * 10) / 10

export function edgeLabel(s: Pick<CycleStep, 'edge' | 'key' | 'value'>): string {
  const key = s.key === undefined ? '' : /^\d/.test(s.key) ? `k${s.key}` : s.key
  const kv = s.value === undefined ? key : key ? `${key}=${s.value}` : s.value
  return kv ? `${s.edge} ${kv}` : s.edge
}

/** Places the cycle's transactions clockwise on a circle and routes each step as a curve. */
export function layoutCycle(steps: readonly CycleStep[], notes = new Map<string, string>()): CycleLayout {
  const ids: string[] = []
  for (const s of steps) for (const id of [s.from, s.to]) if (!ids.includes(id)) ids.push(id)
  const n = ids.length
  const R = n <= 1 ? 0 : Math.max(70, (n * (2 * NODE_R + 60)) / (2 * Math.PI))
  const cx = R + MARGIN
  const cy = R + MARGIN
  const pos = new Map<string, CycleNode>()
  ids.forEach((id, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / n + (n === 2 ? -Math.PI / 2 : 0)
    pos.set(id, { id, x: round(cx + R * Math.cos(a)), y: round(cy + R * Math.sin(a)), note: notes.get(id) })
  })
  // Vertical extent of everything drawn, to crop the picture.
  const ys = [...pos.values()].flatMap((p) => [p.y - NODE_R, p.y + NODE_R])
  const edges = steps.map((s) => {
    const a = pos.get(s.from)!
    const b = pos.get(s.to)!
    const label = edgeLabel(s)
    if (a === b) {
      // A self-loop (e.g. an internal anomaly): a small loop above the node.
      const d = `M ${a.x - 10} ${a.y - NODE_R} C ${a.x - 40} ${a.y - 80}, ${a.x + 40} ${a.y - 80}, ${a.x + 10} ${a.y - NODE_R - 4}`
      ys.push(a.y - 82)
      return { edge: s.edge, label, d, lx: a.x, ly: round(a.y - 72) }
    }
    const dx = b.x - a.x
    const dy = b.y - a.y
    const len = Math.hypot(dx, dy)
    const mx = (a.x + b.x) / 2
    const my = (a.y + b.y) / 2
    // Bend away from the circle's centre; with two nodes (centre on the chord), to the right.
    let px = -dy / len
    let py = dx / len
    if ((mx - cx) * px + (my - cy) * py < 0 && Math.hypot(mx - cx, my - cy) > 1) {
      px = -px
      py = -py
    }
    const bend = Math.min(60, len * 0.3)
    const c = { x: mx + px * bend, y: my + py * bend }
    // Stop the curve at the target node's rim, so the arrowhead shows.
    const tx = b.x - c.x
    const ty = b.y - c.y
    const tl = Math.hypot(tx, ty)
    const end = { x: b.x - (tx / tl) * (NODE_R + 3), y: b.y - (ty / tl) * (NODE_R + 3) }
    const sx = c.x - a.x
    const sy = c.y - a.y
    const sl = Math.hypot(sx, sy)
    const start = { x: a.x + (sx / sl) * NODE_R, y: a.y + (sy / sl) * NODE_R }
    const d = `M ${round(start.x)} ${round(start.y)} Q ${round(c.x)} ${round(c.y)} ${round(end.x)} ${round(end.y)}`
    const lx = 0.25 * start.x + 0.5 * c.x + 0.25 * end.x
    const ly = 0.25 * start.y + 0.5 * c.y + 0.25 * end.y
    ys.push(c.y, ly + py * 12 - 10, ly + py * 12 + 10)
    return { edge: s.edge, label, d, lx: round(lx + px * 12), ly: round(ly + py * 12) }
  })
  const top = Math.max(0, Math.floor(Math.min(...ys) - 12))
  const height = Math.min(2 * cy, Math.ceil(Math.max(...ys) + 12)) - top
  return { width: 2 * cx, top, height, r: NODE_R, nodes: [...pos.values()], edges }
}
