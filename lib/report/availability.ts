// The report's availability table (issue "Test power"): per node, ok ops per second of load
// outside fault windows and inside them, the inside/outside ratio, and each window's rate, from
// the stats checker's `availability` (checker/availability.ts). Read defensively: an older
// results.json without it gives no table.
import type { Availability } from '../../checker/availability.ts'
import { describeStarved } from '../../checker/availability.ts'
import type { RunResults } from '../run-store/store.ts'

export interface AvailabilityView {
  /** Column headers of the per-window rates, e.g. "10.1–20.8 s partition". */
  windows: string[]
  rows: {
    node: string
    outside: string
    inside: string
    ratio: string
    perWindow: string[]
    starved: boolean
  }[]
  load: string
  starved: string[]
}

const fmt = (r: number | null | undefined) => (r === null || r === undefined ? '—' : r.toFixed(1))

export function availabilityView(results: RunResults | undefined): AvailabilityView | undefined {
  const a = (results?.checkers?.stats as { availability?: Availability } | undefined)?.availability
  if (!a || typeof a.nodes !== 'object' || Object.keys(a.nodes).length === 0) return undefined
  const starvedNodes = new Set((a.starved ?? []).map((s) => s.node))
  return {
    windows: (a.windows ?? []).map(
      (w) => `${w.start.toFixed(1)}–${w.end.toFixed(1)} s ${w.faults.join(', ')}`,
    ),
    rows: Object.entries(a.nodes).map(([node, n]) => ({
      node,
      outside: fmt(n.rateOutside),
      inside: fmt(n.rateInside),
      ratio:
        n.rateInside !== null && n.rateOutside ? `${Math.round((100 * n.rateInside) / n.rateOutside)}%` : '—',
      perWindow: (a.windows ?? []).map((w) => fmt(w.rate[node])),
      starved: starvedNodes.has(node),
    })),
    load: `${a.load.outside.toFixed(1)} s of load outside fault windows, ${a.load.inside.toFixed(1)} s inside`,
    starved: (a.starved ?? []).map(describeStarved),
  }
}
