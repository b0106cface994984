// Words for cycle anomalies: names each txn of a cycle T1..Tn and says, step by step, why each
// must precede the next, ending in the contradiction ("T1 < T2, because T2 observed T1's append
// of 3 to key 7. However, T2 < T1, because ...: a contradiction!").
import type { CycleStep, Key, Workload } from './types.ts'

const k = (key: Key | undefined): string => JSON.stringify(key)
const v = (x: unknown): string => JSON.stringify(x)

function because(s: CycleStep, a: string, b: string, workload: Workload): string {
  if (s.type === 'process') return `process ${s.process} executed ${a} before ${b}`
  if (s.type === 'realtime') return `${a} completed (op ${s.from}) before ${b} began`
  if (s.type === 'timestamp')
    return `${a} committed at ts ${s.value} before ${b} started at ts ${s.value2}, so ${b}'s snapshot includes ${a}`
  if (workload === 'list-append') {
    if (s.type === 'ww')
      return `${b} appended ${v(s.value2)} after ${a} appended ${v(s.value)} to ${k(s.key)}`
    if (s.type === 'wr') return `${b} observed ${a}'s append of ${v(s.value)} to key ${k(s.key)}`
    return s.value === null
      ? `${a} observed the initial (nil) state of ${k(s.key)}, which ${b} created by appending ${v(s.value2)}`
      : `${a} did not observe ${b}'s append of ${v(s.value2)} to ${k(s.key)} (it saw the list end at ${v(s.value)})`
  }
  if (s.type === 'ww')
    return `${a} set ${k(s.key)} to ${v(s.value)}, which was later set to ${v(s.value2)} by ${b}`
  if (s.type === 'wr') return `${a} wrote ${k(s.key)} = ${v(s.value)}, which was read by ${b}`
  return s.value === null
    ? `${a} read the initial (nil) state of ${k(s.key)}, which ${b} overwrote with ${v(s.value2)}`
    : `${a} read ${k(s.key)} = ${v(s.value)}, which ${b} overwrote with ${v(s.value2)}`
}

/** The explanation of one cycle: who T1..Tn are, then one line per step. */
export function explainCycle(type: string, steps: readonly CycleStep[], workload: Workload): string {
  const names = new Map<number, string>()
  for (const s of steps) if (!names.has(s.from)) names.set(s.from, `T${names.size + 1}`)
  const lines = [`${type}: let ${[...names].map(([op, n]) => `${n} = op ${op}`).join(', ')}. Then:`]
  steps.forEach((s, i) => {
    const [a, b] = [names.get(s.from)!, names.get(s.to)!]
    const last = i === steps.length - 1 && steps.length > 1
    lines.push(
      `  - ${last ? 'However, ' : ''}${a} < ${b}, because ${because(s, a, b, workload)}${last ? ': a contradiction!' : '.'}`,
    )
  })
  return lines.join('\n')
}
