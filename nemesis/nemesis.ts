// The nemesis that runs the ops of nemesis/faults.ts against a cluster: it dispatches each op
// by name (start-/stop-partition, kill/start, pause/resume, start-/stop-<scheduler>,
// start-/stop-clock), returns the completion with what was actually done (the grudge, the
// nodes), records a failed op as info with its error (or rethrows when told to abort), and
// heals everything it may have left in force with `healAll()`: idempotent, and safe to call
// from a finally block, a SIGINT handler, or twice at once. Heals (healAll and the heal ops
// stop-*, start, resume) are retried with backoff until they succeed or `healTimeoutMs` has
// passed, each failed attempt logged; what still failed names its nodes.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Db, DbContext, DbRole } from '../lib/db/db.ts'
import type { Op } from '../lib/history/op.ts'
import { errorMessage as message, type Nemesis } from '../lib/runner/client.ts'
import { ClockFaults, type ClockOpValue, hasFaketime } from './clock.ts'
import type { Target } from './faults.ts'
import type { Grudge } from './grudge.ts'
import { applyGrudge, grudgeFor, healPartition, type PartitionShape } from './partition.ts'
import { ProcessFaults, type ProcessOpValue } from './process.ts'
import { SCHEDULER_FAULTS, type SchedulerApi, type SchedulerFault, SchedulerFaults } from './scheduler.ts'

export interface NemesisOptions {
  db: Db
  ctx: DbContext
  /** The run's seeded random source (lib/generator Rng). */
  rng: { int(n: number): number; next(): number }
  /** PD's scheduler API (default: the DB's `pdApi(ctx)` when it has one, as TiKV does). */
  schedulers?: SchedulerApi
  /**
   * Called with the error when a nemesis op fails and the test should abort rather than go on
   * (e.g. the AbortController whose signal the runner watches). The op is recorded either way.
   */
  abort?: (reason: Error) => void
  /** How long a heal is retried before its failure is reported (default 60 s; 0: one attempt). */
  healTimeoutMs?: number
  /** Where failed heal attempts are reported (default: nowhere). */
  log?: (message: string) => void
}

/** Heal ops: they undo a fault, are idempotent, and are retried like healAll. */
const HEAL_OP = /^(stop-.+|start|resume)$/

/** Backoff between heal attempts: 0.5 s, 1 s, 2 s, ... at most 5 s. */
const healBackoffMs = (attempt: number) => Math.min(500 * 2 ** (attempt - 1), 5_000)

type NemesisOp = Pick<Op, 'f' | 'value'>

/** What the runner records as the op's completion (always info: a fault's effect is never certain). */
export interface NemesisCompletion {
  value?: unknown
  error?: string
}

export class FaultNemesis implements Nemesis {
  private readonly processes: ProcessFaults
  private readonly schedulerFaults?: SchedulerFaults
  private readonly clock?: ClockFaults
  private grudge?: Grudge
  private healing?: Promise<string[]>

  constructor(private readonly o: NemesisOptions) {
    this.processes = new ProcessFaults(o.db, o.ctx, o.rng)
    const schedulers = o.schedulers ?? pdApiOf(o.db, o.ctx)
    if (schedulers) this.schedulerFaults = new SchedulerFaults(schedulers)
    if (hasFaketime(o.db)) this.clock = new ClockFaults(o.db, o.ctx, o.rng)
  }

  /** What faults/planFaults may use on this nemesis's target. */
  target(): Target {
    return {
      db: this.o.db.name,
      roles: this.o.db.roles,
      nodeCount: this.o.ctx.nodes.length,
      schedulers: this.schedulerFaults !== undefined,
      faketime: this.clock !== undefined,
    }
  }

  /** Runs one nemesis op; a failure is returned as the op's error (and aborts the test if asked to). */
  async invoke(op: NemesisOp): Promise<NemesisCompletion> {
    try {
      const run = () => this.run(op)
      return { value: await (HEAL_OP.test(op.f) ? this.retryingHeal(op.f, run) : run()) }
    } catch (e) {
      this.o.abort?.(new Error(`nemesis op ${op.f} failed: ${message(e)}`, { cause: e }))
      return { value: op.value, error: message(e) }
    }
  }

  /** Heals everything at the end of the run (the runner calls it also after failures and aborts). */
  async teardown(): Promise<void> {
    const problems = await this.healAll()
    if (problems.length) throw new Error(`nemesis could not heal everything:\n  ${problems.join('\n  ')}`)
  }

  /** The faults in force, for the runner's progress line ("" when none). */
  faults(): string {
    return this.currentFaults().join(', ')
  }

  /** Faults currently in force, one description each. */
  currentFaults(): string[] {
    const g = this.grudge ?? {}
    const drops = Object.keys(g)
      .sort()
      .flatMap((n) => (g[n].length ? [`${n} drops ${g[n].join(',')}`] : []))
    const partition = drops.length ? [`partition (${drops.join('; ')})`] : []
    return [
      ...partition,
      ...this.processes.current(),
      ...(this.schedulerFaults?.current() ?? []),
      ...(this.clock?.current() ?? []),
    ]
  }

  /**
   * Heals every kind of fault: partitions, paused and killed processes, schedulers, clocks.
   * Every part is tried even if another fails; resolves with the problems (empty when clean).
   * Concurrent calls share one heal.
   */
  healAll(): Promise<string[]> {
    this.healing ??= this.healEverything().finally(() => {
      this.healing = undefined
    })
    return this.healing
  }

  private async healEverything(): Promise<string[]> {
    const parts: [string, () => Promise<unknown>][] = [
      ['partition', () => this.stopPartition()],
      ['processes', () => this.processes.heal()],
      ['schedulers', async () => this.schedulerFaults?.heal()],
      ['clock', async () => this.clock?.heal()],
    ]
    const problems: string[] = []
    for (const [what, heal] of parts) {
      await this.retryingHeal(`heal ${what}`, heal).catch((e) => problems.push(`heal ${what}: ${message(e)}`))
    }
    return problems
  }

  /** Runs a heal until it succeeds or healTimeoutMs has passed; then throws its last error. */
  private async retryingHeal<T>(what: string, heal: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.o.healTimeoutMs ?? 60_000)
    for (let attempt = 1; ; attempt++) {
      try {
        return await heal()
      } catch (e) {
        const wait = healBackoffMs(attempt)
        if (Date.now() + wait > deadline) {
          if (attempt > 1)
            throw new Error(`${message(e)} (still failing after ${attempt} attempts)`, { cause: e })
          throw e
        }
        this.o.log?.(`${what}: attempt ${attempt} failed (${message(e)}); retrying in ${wait} ms`)
        await sleep(wait)
      }
    }
  }

  private async run(op: NemesisOp): Promise<unknown> {
    const { db, ctx, rng } = this.o
    switch (op.f) {
      case 'start-partition': {
        const grudge = await grudgeFor(op.value as PartitionShape, db, ctx, rng)
        this.grudge = grudge
        await applyGrudge(ctx, grudge)
        return grudge
      }
      case 'stop-partition':
        return this.stopPartition()
      case 'kill':
      case 'pause': {
        const v = processValue(op)
        const nodes = await this.processes[op.f](v.role, v.nodes)
        return { role: v.role, nodes }
      }
      case 'start': {
        const v = processValue(op)
        return { role: v.role, nodes: await this.processes.start(v.role, v.nodes, v.background) }
      }
      case 'resume': {
        const v = processValue(op)
        return { role: v.role, nodes: await this.processes.resume(v.role, v.nodes) }
      }
      case 'start-clock':
        return this.need(this.clock, op).start(op.value as ClockOpValue)
      case 'stop-clock':
        return { nodes: await this.need(this.clock, op).heal() }
    }
    const sched = /^(start|stop)-(.+)$/.exec(op.f)
    if (sched && (SCHEDULER_FAULTS as readonly string[]).includes(sched[2])) {
      const s = this.need(this.schedulerFaults, op)
      const fault = sched[2] as SchedulerFault
      return { scheduler: sched[1] === 'start' ? await s.start(fault) : await s.stop(fault) }
    }
    throw new Error(
      `unknown nemesis op "${op.f}"; known: start-partition, stop-partition, kill, start, pause, resume, ` +
        `start-clock, stop-clock, ${SCHEDULER_FAULTS.flatMap((s) => [`start-${s}`, `stop-${s}`]).join(', ')}`,
    )
  }

  private async stopPartition(): Promise<Grudge | null> {
    const healed = this.grudge ?? null
    await healPartition(this.o.ctx)
    this.grudge = undefined
    return healed
  }

  private need<T>(part: T | undefined, op: NemesisOp): T {
    if (part === undefined)
      throw new Error(
        `nemesis op ${op.f} is not supported on this target (${this.o.db.name}); see faults.ts planFaults`,
      )
    return part
  }
}

/** The DB's PD API client, for DBs that have one (TikvDb.pdApi). */
function pdApiOf(db: Db, ctx: DbContext): SchedulerApi | undefined {
  const withPd = db as Db & { pdApi?: (ctx: DbContext) => SchedulerApi }
  return typeof withPd.pdApi === 'function' ? withPd.pdApi(ctx) : undefined
}

function processValue(op: NemesisOp): ProcessOpValue {
  const v = op.value as Partial<ProcessOpValue> | undefined
  const role = v?.role as DbRole | undefined
  if (!role)
    throw new Error(`nemesis op ${op.f} needs a value {role, nodes?}, got ${JSON.stringify(op.value)}`)
  return { ...v, role }
}
