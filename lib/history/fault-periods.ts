// Fault periods of a history: when each nemesis fault was in force, paired from the nemesis's
// info ops. This is the naming convention the nemesis follows and the report shades:
//   - `start-<fault>` opens a period of <fault>, `stop-<fault>` closes it
//     (e.g. start-partition / stop-partition, start-clock-skew / stop-clock-skew);
//   - aliases: `kill` is closed by `start` (fault "kill"), `pause` by `resume` (fault "pause");
//   - a nemesis may log an op twice (invoke and completion, as Jepsen does): a period starts at
//     the first opening op and ends at the last closing op before that fault opens again;
//   - a period never closed runs to the end of the history (`end` is the last op's time);
//   - any other nemesis op (e.g. "shuffle-leaders") is an instant event, not a period.
// Periods of different faults may overlap; each fault has at most one open period at a time.
import type { Op } from './op.ts'

export interface FaultPeriod {
  /** The fault's name: "partition" for start-partition, "kill", "pause", ... */
  fault: string
  /** Nanoseconds since test start, as op.time. */
  start: number
  end: number
  /** False when the history ended with the fault still in force. */
  closed: boolean
  /** The opening op's value (nodes, grudge, ...). */
  value?: unknown
  startIndex: number
  endIndex?: number
}

export interface NemesisEvent {
  f: string
  time: number
  index: number
  value?: unknown
}

const ALIASES: Record<string, { opens: string } | { closes: string }> = {
  kill: { opens: 'kill' },
  start: { closes: 'kill' },
  pause: { opens: 'pause' },
  resume: { closes: 'pause' },
}

/** What a nemesis `f` does to fault periods, by the convention above. */
export function faultAction(f: string): { opens: string } | { closes: string } | undefined {
  if (f.startsWith('start-') && f.length > 6) return { opens: f.slice(6) }
  if (f.startsWith('stop-') && f.length > 5) return { closes: f.slice(5) }
  return ALIASES[f]
}

/** Fault periods in order of start, and the nemesis ops that open or close none. */
export function faultPeriods(history: readonly Op[]): { periods: FaultPeriod[]; events: NemesisEvent[] } {
  const periods: FaultPeriod[] = []
  const events: NemesisEvent[] = []
  const last = new Map<string, FaultPeriod>()
  const endTime = history.length ? history[history.length - 1].time : 0
  for (const op of history) {
    if (op.process !== 'nemesis') continue
    const action = faultAction(op.f)
    if (!action) {
      events.push({ f: op.f, time: op.time, index: op.index, value: op.value })
    } else if ('opens' in action) {
      const p = last.get(action.opens)
      if (p && !p.closed) continue // the completion of an opening op already seen
      const np: FaultPeriod = {
        fault: action.opens,
        start: op.time,
        end: endTime,
        closed: false,
        value: op.value,
        startIndex: op.index,
      }
      periods.push(np)
      last.set(action.opens, np)
    } else {
      const p = last.get(action.closes)
      if (!p) continue // closing a fault that was never opened: nothing was in force
      p.end = op.time
      p.endIndex = op.index
      p.closed = true
    }
  }
  return { periods, events }
}
