// From fault names (lib/config/options.ts FAULTS, shorthands already expanded) to plans: the
// nemesis ops that start each fault and the ops that heal it. Checked against the target at
// configuration time, so that an unsupported fault fails before anything is provisioned, with
// the reason (e.g. etcd has no PD, and Go binaries ignore libfaketime).
import type { DbName, DbRole } from '../lib/db/db.ts'
import type { OpMap } from '../lib/generator/core.ts'
import { sleep } from '../lib/generator/timing.ts'
import type { ClockOpValue } from './clock.ts'
import { PARTITION_SHAPES, type PartitionShape } from './partition.ts'
import type { ProcessOpValue } from './process.ts'
import { SCHEDULER_FAULTS, type SchedulerFault } from './scheduler.ts'

/** What the configuration check needs to know about the target. */
export interface Target {
  db: DbName
  roles: readonly DbRole[]
  nodeCount: number
  /** PD's scheduler API is reachable (TiKV). */
  schedulers: boolean
  /** The DB runs its Rust processes under libfaketime (FaketimeDb). */
  faketime: boolean
}

export interface FaultPlan {
  /** Fault name, e.g. "partition-ring", "kill-kv". */
  name: string
  /** Ops (and sleeps) that put the fault in force; a self-healing sequence heals itself too. */
  start: OpMap[]
  /** Ops that heal it; each is idempotent, so the final heal can run them all. */
  heal: OpMap[]
}

export class UnsupportedFaultError extends Error {}

const nemesisOp = <V>(f: string, value?: V): OpMap<V> => ({ type: 'info', f, value })

/** Seconds restart-kv-without-pd keeps PD paused after restarting TiKV. */
export const RESTART_WITHOUT_PD_WAIT = 5

const PARTITION_MIN_NODES: Record<PartitionShape, number> = { one: 2, half: 2, ring: 4, bridge: 3, leader: 2 }

/** Plans for the named faults (`kill` and `pause` mean every role of the DB); throws listing every unsupported one. */
export function planFaults(names: readonly string[], target: Target): FaultPlan[] {
  const plans: FaultPlan[] = []
  const problems: string[] = []
  for (const name of names) {
    try {
      plans.push(...planOne(name, target))
    } catch (e) {
      if (!(e instanceof UnsupportedFaultError)) throw e
      problems.push(e.message)
    }
  }
  if (problems.length)
    throw new UnsupportedFaultError(`nemesis faults not supported:\n  ${problems.join('\n  ')}`)
  return plans.filter((p, i) => plans.findIndex((q) => q.name === p.name) === i)
}

function planOne(name: string, t: Target): FaultPlan[] {
  const unsupported = (why: string) =>
    new UnsupportedFaultError(`${name}: not supported on this target (${t.db}): ${why}`)
  if (name.startsWith('partition-')) {
    const shape = name.slice('partition-'.length) as PartitionShape
    if (!PARTITION_SHAPES.includes(shape))
      throw unsupported(`unknown partition shape; allowed: ${PARTITION_SHAPES.join(', ')}`)
    if (t.nodeCount < PARTITION_MIN_NODES[shape])
      throw unsupported(`needs at least ${PARTITION_MIN_NODES[shape]} nodes, the cluster has ${t.nodeCount}`)
    return [{ name, start: [nemesisOp('start-partition', shape)], heal: [nemesisOp('stop-partition')] }]
  }
  const proc = /^(kill|pause)(?:-(pd|kv|etcd))?$/.exec(name)
  if (proc) {
    const [, action, role] = proc as unknown as [string, 'kill' | 'pause', DbRole | undefined]
    if (role && !t.roles.includes(role))
      throw unsupported(
        `${t.db} has no "${role}" process (its processes: ${t.roles.join(', ')}); use "${action}"`,
      )
    return (role ? [role] : t.roles).map((r) => processPlan(action, r))
  }
  if ((SCHEDULER_FAULTS as readonly string[]).includes(name)) {
    if (!t.schedulers) throw unsupported('PD scheduler faults need PD (TiKV targets only)')
    const f = name as SchedulerFault
    return [{ name, start: [nemesisOp(`start-${f}`)], heal: [nemesisOp(`stop-${f}`)] }]
  }
  if (name === 'restart-kv-without-pd') {
    if (!t.roles.includes('pd') || !t.roles.includes('kv'))
      throw unsupported('needs PD and TiKV processes (TiKV targets only)')
    const pd: ProcessOpValue = { role: 'pd', nodes: 'all' }
    const kv: ProcessOpValue = { role: 'kv', nodes: 'all' }
    return [
      {
        name,
        start: [
          nemesisOp('pause', pd),
          nemesisOp('kill', kv),
          nemesisOp('start', { ...kv, background: true }),
          sleep(RESTART_WITHOUT_PD_WAIT),
          nemesisOp('resume', { role: 'pd' }),
        ],
        heal: [nemesisOp('resume', { role: 'pd' }), nemesisOp('start', { role: 'kv' })],
      },
    ]
  }
  if (name === 'clock-skew' || name === 'clock-strobe') {
    if (!t.faketime)
      throw unsupported(
        t.db === 'etcd'
          ? 'etcd is a Go binary and ignores libfaketime, and namespace nodes share the host clock'
          : 'TiKV does not run under libfaketime: start it with the option clock: true (TIKV_CLOCK=1), ' +
              "off by default because TiKV's jemalloc deadlocks with libfaketime >= 0.9.7 (only Jepsen's 0.9.6 fork is known to work); " +
              'PD, a Go binary, ignores libfaketime anyway',
      )
    const value: ClockOpValue = { mode: name === 'clock-skew' ? 'skew' : 'strobe' }
    return [{ name, start: [nemesisOp('start-clock', value)], heal: [nemesisOp('stop-clock')] }]
  }
  throw unsupported('unknown fault name')
}

function processPlan(action: 'kill' | 'pause', role: DbRole): FaultPlan {
  const undo = action === 'kill' ? 'start' : 'resume'
  return {
    name: `${action}-${role}`,
    start: [nemesisOp<ProcessOpValue>(action, { role, nodes: 'random' })],
    heal: [nemesisOp<ProcessOpValue>(undo, { role })],
  }
}
