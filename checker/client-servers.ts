// The harness's own health during a run, from the client-server restarts its history records
// (lib/client/supervisor.ts): how many client servers were restarted, and whether one was lost.
// The rule for a lost one is Jepsen's for a run that lost its clients: a node without a client
// server sent no load for the rest of the run, so nothing it was meant to test was tested, and
// the verdict is "unknown" (never a plain valid), with the node named.
import { CLIENT_SERVER_RESTART } from '../lib/client/supervisor-state.ts'
import type { Op } from '../lib/history/op.ts'
import type { CheckResult } from './result.ts'

interface RestartValue {
  node?: string
  reason?: string
  downMs?: number
}

export function checkClientServers(history: readonly Op[]): CheckResult {
  const events = history.filter((op) => op.process === 'nemesis' && op.f === CLIENT_SERVER_RESTART)
  const at = (op: Op) => `${(op.time / 1e9).toFixed(1)} s`
  const restarts = events
    .filter((op) => !op.error)
    .map((op) => {
      const v = (op.value ?? {}) as RestartValue
      return { node: v.node, time: at(op), reason: v.reason, downMs: v.downMs }
    })
  const lost = events
    .filter((op) => op.error)
    .map((op) => ({ node: ((op.value ?? {}) as RestartValue).node, time: at(op), error: op.error }))
  const explanation = lost.length
    ? `${lost.map((l) => `${l.error} (at ${l.time})`).join('; ')}: that node sent no load from then on, so the verdict is unknown`
    : restarts.length
      ? `${restarts.length} client server restart(s): ${restarts.map((r) => `${r.node} at ${r.time} (${r.reason}; back after ${r.downMs} ms)`).join('; ')}`
      : 'no client server failed'
  return {
    checker: 'client-servers',
    valid: lost.length ? 'unknown' : true,
    explanation,
    restarts: restarts.length,
    events: restarts,
    lost,
  }
}
