// Schedules, run in virtual time with the generator library's simulator: every fault is healed
// before the next one starts, the final phase heals every enabled fault, fixed and random gaps,
// long-recovery quiet windows; and planFaults' target checks.
import { describe, expect, test } from 'vitest'
import { FAULTS } from '../lib/config/options.ts'
import type { Gen } from '../lib/generator/core.ts'
import { simulate } from '../lib/generator/simulate.ts'
import { nemesis, phases } from '../lib/generator/threads.ts'
import { timeLimit } from '../lib/generator/timing.ts'
import { faultAction } from '../lib/history/fault-periods.ts'
import type { Op } from '../lib/history/op.ts'
import { type FaultPlan, planFaults, type Target } from './faults.ts'
import { faultSchedule, finalPhase, healOps, LONG_RECOVERY } from './schedule.ts'

const TIKV: Target = { db: 'tikv', roles: ['pd', 'kv'], nodeCount: 5, schedulers: true, faketime: true }
const ETCD: Target = { db: 'etcd', roles: ['etcd'], nodeCount: 5, schedulers: false, faketime: false }
/** Every fault of the options table, kill and pause in their all-roles form. */
const ALL_TIKV = FAULTS.filter((f) => !/^(kill|pause)-/.test(f))

/** The nemesis ops (invocations only) a generator produces in `seconds` of virtual time. */
function nemesisOps(gen: Gen, seconds: number, seed = 1): Op[] {
  const { history } = simulate(nemesis(timeLimit(seconds, gen)), { concurrency: 1, seed, latency: 0.01 })
  return history.filter((o, i) => o.process === 'nemesis' && i % 2 === 0)
}
const key = (o: { f: string; value?: unknown }) =>
  JSON.stringify([o.f, (o.value as { role?: string })?.role ?? null])

/** Checks that no fault opens while another is in force, and returns the faults left open at the end. */
function openFaults(ops: Op[], plans: FaultPlan[]): Set<string> {
  const open = new Set<string>()
  const healOf = new Map(
    plans.flatMap((p) => p.start.filter((s) => s.type !== 'sleep').map((s) => [key(s), p])),
  )
  for (const o of ops) {
    const action = faultAction(o.f)
    if (action && 'opens' in action) {
      const plan = healOf.get(key(o))
      // restart-kv-without-pd opens pause/kill inside its own finite sequence.
      if (plan?.name !== 'restart-kv-without-pd')
        expect([...open], `${o.f} at ${o.time} while in force`).toEqual([])
      open.add(action.opens + JSON.stringify((o.value as { role?: string })?.role ?? null))
    } else if (action)
      open.delete(action.closes + JSON.stringify((o.value as { role?: string })?.role ?? null))
  }
  return open
}

describe('main schedule', () => {
  test.each([1, 2, 3])('seed %i: every fault is healed before the next starts', (seed) => {
    const plans = planFaults(ALL_TIKV, TIKV)
    const ops = nemesisOps(
      faultSchedule(plans, { interval: 1, schedule: 'random', longRecovery: false }),
      400,
      seed,
    )
    expect(ops.length).toBeGreaterThan(100)
    const open = openFaults(ops, plans)
    expect(open.size).toBeLessThanOrEqual(1) // the time limit may cut the last cycle
    // Every enabled fault gets its turn.
    const started = new Set(ops.map((o) => (o.f === 'start-partition' ? `partition-${o.value}` : o.f)))
    for (const f of [
      'partition-one',
      'partition-ring',
      'partition-leader',
      'start-shuffle-region',
      'start-clock',
    ])
      expect(started).toContain(f)
  })

  test('fixed schedule: faults start every 2 intervals exactly, each healed one interval later', () => {
    const plans = planFaults(['partition-one'], ETCD)
    const ops = nemesisOps(faultSchedule(plans, { interval: 5, schedule: 'fixed', longRecovery: false }), 100)
    expect(ops.map((o) => o.f).slice(0, 4)).toEqual([
      'start-partition',
      'stop-partition',
      'start-partition',
      'stop-partition',
    ])
    const gaps = ops.slice(1).map((o, i) => (o.time - ops[i].time) / 1e9)
    for (const g of gaps) expect(g).toBeCloseTo(5.01, 6) // interval + the simulated op latency
  })

  test('random schedule: gaps vary within [0.5, 1.5) intervals with the interval as mean', () => {
    const plans = planFaults(['kill'], ETCD)
    const ops = nemesisOps(
      faultSchedule(plans, { interval: 4, schedule: 'random', longRecovery: false }),
      4000,
    )
    const gaps = ops.slice(1).map((o, i) => (o.time - ops[i].time) / 1e9 - 0.01)
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(2 - 1e-6)
      expect(g).toBeLessThan(6)
    }
    expect(new Set(gaps.map((g) => g.toFixed(3))).size).toBeGreaterThan(gaps.length / 2)
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length
    expect(mean).toBeGreaterThan(3.6)
    expect(mean).toBeLessThan(4.4)
  })

  test('long recovery: after every few fault cycles a quiet window of many intervals', () => {
    const plans = planFaults(['pause'], ETCD)
    const ops = nemesisOps(faultSchedule(plans, { interval: 1, schedule: 'fixed', longRecovery: true }), 200)
    const starts = ops.filter((o) => o.f === 'pause').map((o) => o.time / 1e9)
    const gaps = starts.slice(1).map((t, i) => t - starts[i])
    const quiet = 2 + LONG_RECOVERY.quietIntervals
    const long = gaps.flatMap((g, i) => (g > quiet - 0.5 ? [i] : []))
    expect(long.length).toBeGreaterThan(5)
    // Long gaps come exactly after every LONG_RECOVERY.cycles fault cycles.
    for (const i of long) expect((i + 1) % LONG_RECOVERY.cycles).toBe(0)
    expect(gaps.filter((g) => g < 2.5).length).toBe(gaps.length - long.length)
  })

  test('no faults: no nemesis ops', () => {
    expect(faultSchedule([], { interval: 1, schedule: 'fixed', longRecovery: false })).toBeNull()
  })
})

describe('final phase', () => {
  test('heals every enabled fault, partitions first and resumes before starts, then waits', () => {
    const plans = planFaults(ALL_TIKV, TIKV)
    const heal = healOps(plans)
    expect(heal.map(key)).toEqual([
      '["stop-partition",null]',
      '["resume","pd"]',
      '["resume","kv"]',
      '["start","pd"]',
      '["start","kv"]',
      '["stop-shuffle-leader",null]',
      '["stop-shuffle-region",null]',
      '["stop-random-merge",null]',
      '["stop-clock",null]',
    ])
    for (const p of plans) for (const h of p.heal) expect(heal.map(key)).toContain(key(h))
  })

  test('after a time limit cuts a fault short, the final phase leaves nothing open', () => {
    const plans = planFaults(['partition-half', 'kill', 'shuffle-leader'], TIKV)
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const main = faultSchedule(plans, { interval: 3, schedule: 'random', longRecovery: false })
      const { history } = simulate(nemesis(phases(timeLimit(10 + seed, main), finalPhase(plans, 7))), {
        concurrency: 1,
        seed,
        latency: 0.01,
      })
      const ops = history.filter((o, i) => o.process === 'nemesis' && i % 2 === 0)
      expect(openFaults(ops, plans)).toEqual(new Set())
      // The last recorded op is followed by the final recovery sleep (no op, but time passes in it).
      expect(ops.at(-1)?.f).toBe('stop-shuffle-leader')
    }
  })
})

describe('planFaults', () => {
  test('kill and pause mean every process of the target', () => {
    expect(planFaults(['kill', 'pause'], ETCD).map((p) => p.name)).toEqual(['kill-etcd', 'pause-etcd'])
    expect(planFaults(['kill', 'kill-kv'], TIKV).map((p) => p.name)).toEqual(['kill-pd', 'kill-kv'])
  })
  test('restart-kv-without-pd is a finite self-healing sequence', () => {
    const [p] = planFaults(['restart-kv-without-pd'], TIKV)
    expect(p.start.map((o) => o.f)).toEqual(['pause', 'kill', 'start', 'sleep', 'resume'])
    expect(p.start[2].value).toEqual({ role: 'kv', nodes: 'all', background: true })
  })
  test('etcd: PD, scheduler and clock faults fail at configuration time, each with its reason', () => {
    const names = ['kill-pd', 'shuffle-leader', 'restart-kv-without-pd', 'clock-skew', 'partition-one']
    expect(() => planFaults(names, ETCD)).toThrow(
      /kill-pd: not supported on this target \(etcd\): etcd has no "pd" process \(its processes: etcd\); use "kill"\n.*shuffle-leader: not supported on this target \(etcd\): PD scheduler faults need PD[^\n]*\n.*restart-kv-without-pd[^\n]*\n.*clock-skew: not supported on this target \(etcd\): etcd is a Go binary and ignores libfaketime/,
    )
  })
  test('tikv without libfaketime: clock faults explain what the DB must do', () => {
    expect(() => planFaults(['clock-strobe'], { ...TIKV, faketime: false })).toThrow(
      /start it with the option clock: true \(TIKV_CLOCK=1\)/,
    )
  })
  test('ring on 3 nodes is refused', () => {
    expect(() => planFaults(['partition-ring'], { ...ETCD, nodeCount: 3 })).toThrow(
      /needs at least 4 nodes, the cluster has 3/,
    )
  })
})
