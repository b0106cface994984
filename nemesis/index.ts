// The nemesis in one import: configure the enabled faults against the target (failing early
// for unsupported ones), get the runner's Nemesis, the main-phase schedule and the final-phase
// heal, and make sure faults are healed on Ctrl-C. Where each fault lives:
//   grudge.ts (partition shapes) · iptables.ts + partition.ts (partitions) · process.ts
//   (kill/pause) · scheduler.ts (PD schedulers) · clock.ts (libfaketime) · faults.ts (fault
//   names -> ops) · schedule.ts (when) · nemesis.ts (runs ops, healAll) · heal-cluster.ts
//   (cleanup after dead runs).

import type { TestOptions } from '../lib/config/options.ts'
import type { Gen } from '../lib/generator/core.ts'
import { type FaultPlan, planFaults } from './faults.ts'
import { FaultNemesis, type NemesisOptions } from './nemesis.ts'
import { faultSchedule, finalPhase } from './schedule.ts'

export { type FaultPlan, planFaults, UnsupportedFaultError } from './faults.ts'
export type { Grudge } from './grudge.ts'
export { type HealClusterOptions, healCluster, type NodeHealReport } from './heal-cluster.ts'
export { FaultNemesis, type NemesisOptions } from './nemesis.ts'
export { faultSchedule, finalPhase, healOps } from './schedule.ts'

/** The schedule options, and one set of faults enabled together (one entry of options.nemesis). */
export type NemesisSettings = Pick<
  TestOptions,
  'nemesisInterval' | 'nemesisSchedule' | 'nemesisLongRecovery' | 'finalRecoveryTime'
> & { faults: readonly string[] }

export interface NemesisPackage {
  nemesis: FaultNemesis
  plans: FaultPlan[]
  /** Nemesis-thread generator for the main phase (endless; bound it with the time limit). */
  generator: Gen
  /** Nemesis-thread generator for the final phase: heal everything enabled, then wait. */
  final: Gen
}

/** Builds the nemesis for the options; throws UnsupportedFaultError naming every fault the target cannot do. */
export function nemesisPackage(settings: NemesisSettings, o: NemesisOptions): NemesisPackage {
  const nemesis = new FaultNemesis(o)
  const plans = planFaults(settings.faults, nemesis.target())
  return {
    nemesis,
    plans,
    generator: faultSchedule(plans, {
      interval: settings.nemesisInterval,
      schedule: settings.nemesisSchedule,
      longRecovery: settings.nemesisLongRecovery,
    }),
    final: finalPhase(plans, settings.finalRecoveryTime),
  }
}

/**
 * Heals everything when the process gets one of `signals` (then exits 130 for SIGINT, 143
 * otherwise). Returns a function that removes the handlers.
 */
export function healOnSignal(
  nemesis: Pick<FaultNemesis, 'healAll'>,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
  log: (m: string) => void = console.error,
): () => void {
  const handler = (signal: NodeJS.Signals) => {
    log(`${signal}: healing nemesis faults before exit`)
    nemesis
      .healAll()
      .then((problems) => {
        for (const p of problems) log(p)
      })
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  for (const s of signals) process.once(s, handler)
  return () => {
    for (const s of signals) process.off(s, handler)
  }
}
