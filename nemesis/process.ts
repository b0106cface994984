// Process faults through the DB's per-role controls (lib/db/db.ts): kill / start and
// pause / resume of one role (pd, kv or etcd) on chosen nodes. It remembers what it killed and
// paused, so that a start or resume without nodes undoes exactly that and `heal` undoes
// everything. A start may run in the background (restart-kv-without-pd starts TiKV while PD is
// paused, when it cannot get ready yet); the next resume and the heal wait for it.
import type { Db, DbContext, DbRole } from '../lib/db/db.ts'
import { errorMessage as message } from '../lib/runner/client.ts'
import type { IntSource } from './grudge.ts'
import { type NodeSpec, selectNodes } from './select.ts'

/** The value of a kill/start/pause/resume op (invoke), and what its completion reports. */
export interface ProcessOpValue {
  role: DbRole
  /** Which nodes; kill/pause default to a random non-empty subset, start/resume to the ones hit. */
  nodes?: NodeSpec
  /** start only: do not wait for readiness now (the next resume or heal waits). */
  background?: boolean
}

const key = (node: string, role: DbRole) => `${node}/${role}`
const split = (k: string) => k.split('/') as [string, DbRole]

export class ProcessFaults {
  private readonly killed = new Set<string>()
  private readonly paused = new Set<string>()
  private readonly starting = new Map<string, Promise<void>>()

  constructor(
    private readonly db: Db,
    private readonly ctx: DbContext,
    private readonly rng: IntSource,
  ) {}

  /** SIGKILLs the role on the chosen nodes; returns the nodes. */
  async kill(role: DbRole, spec: NodeSpec = 'random'): Promise<string[]> {
    const nodes = this.pick(spec)
    for (const n of nodes) {
      // Marked before the signal, so a heal restarts it even if the kill half-failed.
      this.killed.add(key(n, role))
      this.paused.delete(key(n, role))
    }
    await each(nodes, (n) => this.db.kill(this.ctx, n, role), `kill ${role}`)
    return nodes
  }

  /** Starts the role on the nodes (default: every node where this nemesis killed it). */
  async start(role: DbRole, spec?: NodeSpec, background = false): Promise<string[]> {
    const nodes = spec === undefined ? this.hit(this.killed, role) : this.pick(spec)
    const run = (n: string) =>
      this.db.start(this.ctx, n, role).then(() => {
        this.killed.delete(key(n, role))
      })
    if (background) {
      for (const n of nodes) {
        const p = run(n)
        // Its error surfaces when awaited (next resume or heal); until then it is not unhandled.
        p.catch(() => undefined)
        this.starting.set(key(n, role), p)
      }
      return nodes
    }
    await each(nodes, run, `start ${role}`)
    return nodes
  }

  /** SIGSTOPs the role on the chosen nodes. */
  async pause(role: DbRole, spec: NodeSpec = 'random'): Promise<string[]> {
    const nodes = this.pick(spec)
    for (const n of nodes) this.paused.add(key(n, role))
    await each(nodes, (n) => this.db.pause(this.ctx, n, role), `pause ${role}`)
    return nodes
  }

  /** SIGCONTs the role (default: where this nemesis paused it), then awaits background starts. */
  async resume(role: DbRole, spec?: NodeSpec): Promise<string[]> {
    const nodes = spec === undefined ? this.hit(this.paused, role) : this.pick(spec)
    await each(
      nodes,
      async (n) => {
        await this.db.resume(this.ctx, n, role)
        this.paused.delete(key(n, role))
      },
      `resume ${role}`,
    )
    await this.awaitStarts()
    return nodes
  }

  /** Resumes everything paused and starts everything killed (idempotent); returns what it did. */
  async heal(): Promise<{ resumed: string[]; started: string[] }> {
    const resumed = [...this.paused]
    const errors: unknown[] = []
    await Promise.all(
      resumed.map((k) => this.resume(split(k)[1], [split(k)[0]]).catch((e) => errors.push(e))),
    )
    await this.awaitStarts().catch((e) => errors.push(e))
    const started = [...this.killed]
    await Promise.all(started.map((k) => this.start(split(k)[1], [split(k)[0]]).catch((e) => errors.push(e))))
    if (errors.length) throw new AggregateError(errors, `process heal: ${errors.map(message).join('; ')}`)
    return { resumed, started }
  }

  /** Faults in force, for progress output, e.g. ["killed kv on n2", "paused pd on n1"]. */
  current(): string[] {
    const fmt = (verb: string, set: Set<string>) =>
      [...set].map((k) => `${verb} ${split(k)[1]} on ${split(k)[0]}`)
    return [...fmt('killed', this.killed), ...fmt('paused', this.paused)]
  }

  private pick(spec: NodeSpec): string[] {
    return selectNodes(
      spec,
      this.ctx.nodes.map((n) => n.name),
      this.rng,
    )
  }

  private hit(set: Set<string>, role: DbRole): string[] {
    return [...set].map(split).flatMap(([n, r]) => (r === role ? [n] : []))
  }

  private async awaitStarts(): Promise<void> {
    const pending = [...this.starting.values()]
    this.starting.clear()
    const results = await Promise.allSettled(pending)
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))
    if (failed.length)
      throw new AggregateError(failed, `background start failed: ${failed.map(message).join('; ')}`)
  }
}

/** Runs `fn` on every node at once and reports every failure by node. */
async function each(nodes: string[], fn: (node: string) => Promise<unknown>, what: string): Promise<void> {
  const results = await Promise.allSettled(nodes.map(fn))
  const failed = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${nodes[i]}: ${message(r.reason)}`] : [],
  )
  if (failed.length)
    throw new Error(`${what} failed on ${failed.length} of ${nodes.length} node(s): ${failed.join('; ')}`)
}
