// What a history's transaction timestamps say (DESIGN §3 `ts`), for reports and measurements:
// how many ok completions committed with a commit timestamp, and by which protocol (how often
// async commit and 1PC were really used; "unknown" when the client could not tell), and the
// one-line form a report shows.
import { COMMIT_MODES, type CommitMode, type Op, type TxnTimestamps } from './op.ts'

export type CommitModeCounts = Record<CommitMode | 'unknown', number> & { committed: number }

export function commitModes(history: readonly Op[]): CommitModeCounts {
  const counts: CommitModeCounts = { committed: 0, '2pc': 0, 'async-commit': 0, '1pc': 0, unknown: 0 }
  for (const op of history) {
    if (op.type !== 'ok' || op.ts?.commit === undefined) continue
    counts.committed++
    counts[op.ts.mode ?? 'unknown']++
  }
  return counts
}

/** "812 committed: async-commit 790 (97.3%), unknown 22 (2.7%)"; undefined when none did. */
export function describeCommitModes(c: CommitModeCounts): string | undefined {
  if (c.committed === 0) return undefined
  const parts = [...COMMIT_MODES, 'unknown' as const]
    .filter((m) => c[m] > 0)
    .map((m) => `${m} ${c[m]} (${((100 * c[m]) / c.committed).toFixed(1)}%)`)
  return `${c.committed} committed with a commit timestamp: ${parts.join(', ')}`
}

/** A timestamp for a small label: its last digits ("…895044") when it is long. */
export function shortTs(ts: string): string {
  return ts.length > 8 ? `…${ts.slice(-6)}` : ts
}

/** "ts 443762935392895012 → 443762935392895044 (async-commit)"; "ts 7 (no commit)". */
export function describeTs(ts: TxnTimestamps): string {
  const commit = ts.commit === undefined ? ' (no commit)' : ` → ${ts.commit}`
  return `ts ${ts.start}${commit}${ts.mode ? ` (${ts.mode})` : ''}`
}
