// Consistency models: which anomalies each forbids (the 10 columns of
// testdata/elle/model-matrix.json, checked against that file by models.test.ts, plus four
// intermediate models from Elle's lattice that make the weakest-violated-model answer precise),
// the strength order between models, and how requested anomaly names expand. With timestamp
// order (`timestampOrder`), snapshot isolation and every stronger model also forbid the
// "-timestamp" variants of the cycle anomalies they forbid: SI with timestamps promises that a
// txn sees every txn that committed before it started.

const RU = ['G0', 'duplicate-elements', 'cyclic-versions']
const RC = [...RU, 'G1a', 'G1b', 'G1c', 'dirty-update', 'incompatible-order', 'future-read']
const RA = [...RC, 'internal']
const ITEM = ['G-single-item', 'G-nonadjacent-item']
const RR = [...RC, 'lost-update', ...ITEM, 'G2-item']
const SI = [...RA, 'lost-update', ...ITEM, 'G-single', 'G-nonadjacent']
const SER = [...SI, 'G2-item', 'G2']
const variants = (suffix: string, withG2: boolean): string[] =>
  ['G0', 'G1c', 'G-single-item', 'G-nonadjacent-item', ...(withG2 ? ['G2-item'] : [])].map(
    (a) => `${a}-${suffix}`,
  )

/** Anomalies each model forbids. */
export const FORBIDS: Record<string, readonly string[]> = {
  'read-uncommitted': RU,
  'read-committed': RC,
  'read-atomic': RA,
  'repeatable-read': RR,
  'snapshot-isolation': SI,
  serializable: SER,
  'strong-session-snapshot-isolation': [...SI, ...variants('process', false)],
  'strong-snapshot-isolation': [...SI, ...variants('process', false), ...variants('realtime', false)],
  'strong-session-serializable': [...SER, ...variants('process', true)],
  'strict-serializable': [...SER, ...variants('process', true), ...variants('realtime', true)],
  // Not in the matrix; they sit between the models above (Elle's lattice).
  'cursor-stability': [...RC, 'lost-update'],
  'update-atomic': [...RA, 'lost-update'],
  'consistent-view': [...RC, 'G-single-item', 'G-single'],
  'strong-session-read-committed': [...RC, 'G0-process', 'G1c-process'],
}

export const MODELS = Object.keys(FORBIDS)

/** Directly weaker models: a model that is ruled out rules out everything stronger. */
const WEAKER: Record<string, readonly string[]> = {
  'strict-serializable': ['serializable', 'strong-snapshot-isolation', 'strong-session-serializable'],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation'],
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-read-committed'],
  serializable: ['repeatable-read', 'snapshot-isolation'],
  'snapshot-isolation': ['consistent-view', 'update-atomic'],
  'repeatable-read': ['cursor-stability'],
  'consistent-view': ['cursor-stability'],
  'cursor-stability': ['read-committed'],
  'update-atomic': ['read-atomic'],
  'read-atomic': ['read-committed'],
  'strong-session-read-committed': ['read-committed'],
  'read-committed': ['read-uncommitted'],
  'read-uncommitted': [],
}

/** Each anomaly's more general forms: asking for a general one also reports its special cases. */
const GENERALISES: Record<string, readonly string[]> = {
  G0: ['G1c'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1'],
  'incompatible-order': ['G1'],
  'G-single-item': ['G-single', 'G-nonadjacent-item'],
  'G-single': ['G-nonadjacent'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item'],
  'G-nonadjacent': ['G2'],
  'G2-item': ['G2'],
}

function generalisations(a: string): Set<string> {
  const out = new Set<string>([a])
  const m = /^(.*)-(process|realtime|timestamp)$/.exec(a)
  const [base, suffix] = m ? [m[1], `-${m[2]}`] : [a, '']
  for (let frontier = [base]; frontier.length > 0; ) {
    const next: string[] = []
    for (const x of frontier)
      for (const g of GENERALISES[x] ?? []) {
        if (!out.has(g + suffix)) next.push(g)
        out.add(g + suffix)
      }
    frontier = next
  }
  return out
}

/** Models defined over start/commit timestamps: snapshot isolation and everything stronger. */
const stronger = (m: string, than: string): boolean =>
  Object.entries(WEAKER).some(([s, ws]) => ws.includes(than) && (s === m || stronger(m, s)))
const TIMESTAMP_MODELS = new Set(
  MODELS.filter((m) => m === 'snapshot-isolation' || stronger(m, 'snapshot-isolation')),
)
const CYCLE_BASES = ['G0', 'G1c', 'G-single-item', 'G-nonadjacent-item', 'G2-item']

/** What `model` forbids; with timestamp order, also the -timestamp cycles of SI and stronger. */
export function forbidden(model: string, timestampOrder = false): readonly string[] {
  const base = FORBIDS[model] ?? []
  if (!timestampOrder || !TIMESTAMP_MODELS.has(model)) return base
  return [...base, ...CYCLE_BASES.filter((a) => base.includes(a)).map((a) => `${a}-timestamp`)]
}

/** Is anomaly `found` one the caller asked about (by model or by anomaly name)? */
export function isRelevant(
  found: string,
  models: readonly string[],
  anomalies: readonly string[],
  timestampOrder = false,
): boolean {
  if (models.some((m) => forbidden(m, timestampOrder).includes(found))) return true
  const general = generalisations(found)
  return anomalies.some((a) => general.has(a))
}

export function unknownModels(models: readonly string[]): string[] {
  return models.filter((m) => !(m in FORBIDS))
}

/** Models ruled out by the anomalies found: `not` the weakest, `alsoNot` the rest. */
export function ruledOut(
  found: Iterable<string>,
  timestampOrder = false,
): { not: string[]; alsoNot: string[] } {
  const kinds = new Set(found)
  const out = MODELS.filter((m) => forbidden(m, timestampOrder).some((a) => kinds.has(a)))
  const isOut = new Set(out)
  const weakerOut = (m: string): boolean => (WEAKER[m] ?? []).some((w) => isOut.has(w) || weakerOut(w))
  const not = out.filter((m) => !weakerOut(m)).sort()
  return { not, alsoNot: out.filter((m) => !not.includes(m)).sort() }
}

/** Which edge families the requested models and anomalies need. */
export function needsEdges(models: readonly string[], anomalies: readonly string[], timestampOrder = false) {
  const asked = new Set([...models.flatMap((m) => forbidden(m, timestampOrder)), ...anomalies])
  const has = (suffix: string): boolean => [...asked].some((a) => a.endsWith(suffix))
  const realtime = has('-realtime')
  return { realtime, process: !realtime && has('-process'), timestamp: has('-timestamp') }
}
