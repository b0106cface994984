// Clock faults through libfaketime (TiKV only). Namespace nodes share the host's wall clock and
// have CAP_SYS_TIME dropped, so a node's clock cannot be set; instead the DB starts tikv-server
// (a Rust binary calling libc) under libfaketime with an offset file (lib/db/faketime.ts: only the
// wall clock moves, as with an NTP step), and this nemesis writes offsets into that file. Go binaries
// (PD, etcd) read time through the vDSO/syscalls, not libc, and ignore libfaketime: their clocks
// cannot be skewed this way. Skew: a fixed offset per chosen node. Strobe: a loop on the node
// that flips between an offset and zero every period until stopped (Jepsen's strobe-clock).

import { commandLine, quote } from '../lib/control/shell.ts'
import type { DbContext } from '../lib/db/db.ts'
import {
  type FaketimeProcess,
  faketimeLoadedCommand,
  resetCommand,
  strobeCommand,
} from '../lib/db/faketime.ts'
import { onNodes, remoteOf } from '../lib/db/nodes.ts'
import type { IntSource } from './grudge.ts'
import { type NodeSpec, selectNodes } from './select.ts'

/** A DB that runs a time-sensitive process under libfaketime says where it is on every node. */
export interface FaketimeDb {
  readonly faketime: FaketimeProcess
}

export function hasFaketime(db: object): db is FaketimeDb {
  return typeof (db as Partial<FaketimeDb>).faketime?.offsetFile === 'string'
}

export interface ClockOpValue {
  mode: 'skew' | 'strobe'
  nodes?: NodeSpec
  /** Largest absolute offset in seconds (default 60). */
  maxOffset?: number
  /** Strobe: seconds between flips (default 0.5). */
  period?: number
}

/** libfaketime's relative offset syntax: "+12" / "-7" seconds. */
export function offsetSpec(seconds: number): string {
  const s = Math.round(seconds)
  return s < 0 ? `${s}` : `+${s}`
}

export class ClockFaults {
  private readonly skewed = new Map<string, string>()

  constructor(
    private readonly db: FaketimeDb,
    private readonly ctx: DbContext,
    private readonly rng: IntSource & { next(): number },
  ) {}

  /** Applies a skew or starts a strobe on the chosen nodes; returns node -> offset applied. */
  async start(v: ClockOpValue): Promise<Record<string, string>> {
    await this.heal()
    const nodes = selectNodes(
      v.nodes ?? 'random',
      this.ctx.nodes.map((n) => n.name),
      this.rng,
    )
    const max = v.maxOffset ?? 60
    const file = this.db.faketime.offsetFile
    const applied: Record<string, string> = {}
    for (const n of nodes) applied[n] = offsetSpec((this.rng.next() * 2 - 1) * max || 1)
    await Promise.all(
      nodes.map(async (n) => {
        this.skewed.set(n, v.mode === 'strobe' ? `strobing ${applied[n]}` : applied[n])
        const cmd =
          v.mode === 'strobe'
            ? strobeCommand(file, applied[n], v.period ?? 0.5)
            : commandLine(['sh', '-c', `echo ${applied[n]} > ${quote(file)}`])
        const remote = remoteOf(this.ctx, n)
        await remote.exec(cmd, { sudo: true })
        const loaded = await remote.exec(faketimeLoadedCommand(this.db.faketime), {
          sudo: true,
          check: false,
        })
        if (loaded.code !== 0)
          throw new Error(
            `clock ${applied[n]} on ${n} would not reach it: ${loaded.stderr.trim() || `exit ${loaded.code}`}`,
          )
      }),
    )
    return applied
  }

  /** Resets every node's offset (and stops strobes) — all nodes, so it also clears leftovers. */
  async heal(): Promise<string[]> {
    const reset = [...this.skewed.keys()]
    await onNodes(this.ctx, 'reset clock', (_n, remote) =>
      remote.exec(resetCommand(this.db.faketime.offsetFile), { sudo: true }),
    )
    this.skewed.clear()
    return reset
  }

  current(): string[] {
    return [...this.skewed].map(([n, o]) => `clock ${o} on ${n}`)
  }
}
