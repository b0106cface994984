// When faults happen, as generators for the nemesis thread (DESIGN §4 options): a quiet gap,
// one enabled fault chosen at random, another gap, its heal; again and again. Gaps are the
// nemesis interval exactly (`fixed`) or uniform in [0.5, 1.5) x interval (`random`, same mean).
// With long recovery, every LONG_RECOVERY.cycles fault cycles are followed by a quiet window of
// LONG_RECOVERY.quietIntervals intervals, so the cluster gets time to recover fully. The final
// phase heals every enabled fault (whether or not it is in force; heals are idempotent) and then
// waits the final recovery time before the workload's final reads.
import type { Context } from '../lib/generator/context.ts'
import { cycle } from '../lib/generator/control.ts'
import type { Gen, Generator, OpMap, Step } from '../lib/generator/core.ts'
import { op } from '../lib/generator/core.ts'
import { sleep } from '../lib/generator/timing.ts'
import type { FaultPlan } from './faults.ts'

export interface ScheduleOptions {
  /** Seconds between nemesis operations (nemesisInterval). */
  interval: number
  schedule: 'fixed' | 'random'
  longRecovery: boolean
}

export const LONG_RECOVERY = { cycles: 3, quietIntervals: 6 } as const

/** A quiet gap before the next nemesis op. */
export function gap(interval: number, schedule: ScheduleOptions['schedule'], ctx: Context): OpMap {
  return sleep(schedule === 'fixed' ? interval : interval * (0.5 + ctx.rng.next()))
}

/**
 * A generator built from the context when its first op is asked for, then used until exhausted
 * (unlike a plain function generator, which is called again and so never ends).
 */
class Defer implements Generator {
  constructor(private readonly build: (ctx: Context) => Gen) {}
  op(ctx: Context): Step {
    return op(this.build(ctx), ctx)
  }
  update(): Gen {
    return this
  }
}

/** One fault cycle: gap, start of a random enabled fault, gap, its heal. */
function faultCycle(plans: readonly FaultPlan[], o: ScheduleOptions): Gen {
  return new Defer((ctx) => {
    const plan = plans[plans.length === 1 ? 0 : ctx.rng.int(plans.length)]
    return [gap(o.interval, o.schedule, ctx), ...plan.start, gap(o.interval, o.schedule, ctx), ...plan.heal]
  })
}

/** The endless main-phase schedule (null when no fault is enabled). */
export function faultSchedule(plans: readonly FaultPlan[], o: ScheduleOptions): Gen {
  if (plans.length === 0) return null
  if (!o.longRecovery) return cycle(faultCycle(plans, o))
  const window = Array.from({ length: LONG_RECOVERY.cycles }, () => faultCycle(plans, o))
  return cycle([...window, sleep(o.interval * LONG_RECOVERY.quietIntervals)])
}

/** Heal ops covering every enabled fault, deduplicated, partitions first and resumes before starts. */
export function healOps(plans: readonly FaultPlan[]): OpMap[] {
  const ops = new Map<string, OpMap>()
  for (const p of plans) for (const h of p.heal) ops.set(JSON.stringify([h.f, h.value]), h)
  const rank = (f: string) => ['stop-partition', 'resume', 'start'].indexOf(f) >>> 0
  return [...ops.values()].sort((a, b) => rank(a.f) - rank(b.f))
}

/** The final phase: heal everything enabled, then wait `finalRecoveryTime` seconds. */
export function finalPhase(plans: readonly FaultPlan[], finalRecoveryTime: number): Gen {
  return [...healOps(plans), sleep(finalRecoveryTime)]
}
