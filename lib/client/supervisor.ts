// Supervision of the client servers (Jepsen's runner reopens a client that crashed; here the
// process behind the clients is restarted): a server that exits, or that stops answering its
// Health check (a SIGSTOPped or wedged process; a backend that is down still answers, not ready),
// is killed and started again for the same node, backend and endpoints on a new port. Attempts
// are bounded; a server that cannot be restarted is marked lost. Every change goes to the state
// file (supervisor-state.ts) that workers read to reconnect and to record the restart in their
// history; the rule for a lost server (the run's verdict is unknown) is checker/client-servers.ts.
import { setTimeout as sleep } from 'node:timers/promises'
import { ClientServerClient } from './client.ts'
import type { ClientServerExit } from './server-process.ts'
import {
  type RestartEvent,
  type SupervisedServer,
  type SupervisorState,
  writeSupervisorState,
} from './supervisor-state.ts'

/** A running client server as the supervisor sees it (ClientServerProcess is one). */
export interface SupervisedProcess {
  readonly info: { node: string; address: string; pid: number }
  readonly exited: Promise<ClientServerExit>
  stop(graceMs?: number): Promise<void>
}

export interface SupervisionTimings {
  /** How often each server's Health is probed (default 1000 ms). */
  probeIntervalMs: number
  /**
   * Deadline of one probe (default 5000 ms): longer than the server's own 2 s probe of its
   * backend, so a partitioned or paused backend is answered "not ready", not taken for a hang.
   */
  probeTimeoutMs: number
  /** Unanswered probes in a row after which a server counts as hung (default 2). */
  unansweredProbes: number
  /** Restart attempts before the server is given up as lost (default 3). */
  restartAttempts: number
  /** Wait after the first failed attempt, doubled after each (default 500 ms). */
  restartBackoffMs: number
}

export const DEFAULT_SUPERVISION: SupervisionTimings = {
  probeIntervalMs: 1_000,
  probeTimeoutMs: 5_000,
  unansweredProbes: 2,
  restartAttempts: 3,
  restartBackoffMs: 500,
}

export interface SupervisorOptions extends Partial<SupervisionTimings> {
  /** Where the state is kept for the workers (supervisor-state.ts). */
  stateFile: string
  /** Starts a replacement server for `node`: same backend and endpoints, a new port. */
  restart: (node: string) => Promise<SupervisedProcess>
  log?: (message: string) => void
}

interface Slot {
  server: SupervisedServer
  proc?: SupervisedProcess
  probe?: ClientServerClient
  probing: boolean
  unanswered: number
  restarting?: Promise<void>
}

function describeExit(exit: ClientServerExit): string {
  return exit.signal ? `exited (signal ${exit.signal})` : `exited (code ${exit.code})`
}

export class ClientServerSupervisor {
  private readonly slots = new Map<string, Slot>()
  private readonly events: RestartEvent[] = []
  private readonly timings: SupervisionTimings
  private readonly log: (message: string) => void
  private readonly timer: NodeJS.Timeout
  private stopping = false

  constructor(private readonly o: SupervisorOptions) {
    const d = DEFAULT_SUPERVISION
    this.timings = {
      probeIntervalMs: o.probeIntervalMs ?? d.probeIntervalMs,
      probeTimeoutMs: o.probeTimeoutMs ?? d.probeTimeoutMs,
      unansweredProbes: o.unansweredProbes ?? d.unansweredProbes,
      restartAttempts: o.restartAttempts ?? d.restartAttempts,
      restartBackoffMs: o.restartBackoffMs ?? d.restartBackoffMs,
    }
    this.log = o.log ?? (() => {})
    this.timer = setInterval(() => this.probeAll(), this.timings.probeIntervalMs)
    this.timer.unref()
    this.save()
  }

  /** Supervises a server that was just started for its node. */
  add(proc: SupervisedProcess): void {
    const { node, address, pid } = proc.info
    if (this.slots.has(node)) throw new Error(`client server for ${node} is already supervised`)
    const slot: Slot = {
      server: { node, original: address, address, pid, restarts: 0 },
      probing: false,
      unanswered: 0,
    }
    this.slots.set(node, slot)
    this.attach(slot, proc)
    this.save()
  }

  state(): SupervisorState {
    return { servers: [...this.slots.values()].map((s) => ({ ...s.server })), events: [...this.events] }
  }

  /** Stops supervising (nothing is restarted from now on) and stops every server; throws what failed. */
  async stop(): Promise<void> {
    this.stopping = true
    clearInterval(this.timer)
    await Promise.all([...this.slots.values()].map((s) => s.restarting))
    const problems: string[] = []
    await Promise.all(
      [...this.slots.values()].map(async (s) => {
        s.probe?.close()
        await s.proc
          ?.stop()
          .catch((e: Error) => problems.push(`client server ${s.server.address}: ${e.message}`))
      }),
    )
    if (problems.length) throw new Error(problems.join('; '))
  }

  private attach(slot: Slot, proc: SupervisedProcess): void {
    slot.proc = proc
    slot.unanswered = 0
    slot.probe = new ClientServerClient({
      address: proc.info.address,
      timeoutMs: this.timings.probeTimeoutMs,
    })
    proc.exited.then((exit) => {
      if (slot.proc === proc) this.replace(slot, describeExit(exit))
    })
  }

  private probeAll(): void {
    for (const slot of this.slots.values()) {
      const probe = slot.probe
      if (!probe || slot.probing || slot.restarting) continue
      slot.probing = true
      probe
        .health()
        .then((health) => {
          if (slot.probe !== probe) return
          slot.unanswered = health.answered ? 0 : slot.unanswered + 1
          const n = this.timings.unansweredProbes
          if (slot.unanswered >= n)
            this.replace(
              slot,
              `did not answer ${n} health checks in a row (${this.timings.probeTimeoutMs} ms deadline each; last: ${health.message})`,
            )
        })
        .finally(() => {
          slot.probing = false
        })
    }
  }

  /** Kills the failed server and starts another, unless one is already being started. */
  private replace(slot: Slot, reason: string): void {
    if (this.stopping || slot.restarting || slot.server.lost) return
    slot.restarting = this.restart(slot, reason).finally(() => {
      slot.restarting = undefined
    })
  }

  private async restart(slot: Slot, reason: string): Promise<void> {
    const { node } = slot.server
    const failedAt = Date.now()
    const previous = slot.server.address
    const old = slot.proc
    slot.proc = undefined
    slot.probe?.close()
    slot.probe = undefined
    this.log(`client server for ${node} at ${previous} (pid ${slot.server.pid}) ${reason}; restarting it`)
    await old?.stop(500).catch(() => undefined) // a hung one is SIGKILLed; an exited one is gone
    const { restartAttempts, restartBackoffMs } = this.timings
    let lastError = ''
    for (let attempt = 1; attempt <= restartAttempts && !this.stopping; attempt++) {
      try {
        const proc = await this.o.restart(node)
        if (this.stopping) {
          await proc.stop()
          return
        }
        this.attach(slot, proc)
        Object.assign(slot.server, { address: proc.info.address, pid: proc.info.pid })
        slot.server.restarts++
        const downMs = Date.now() - failedAt
        this.record({
          node,
          reason,
          previous,
          failedAt,
          downMs,
          address: proc.info.address,
          pid: proc.info.pid,
        })
        this.log(
          `client server for ${node} restarted at ${proc.info.address} (pid ${proc.info.pid}) after ${downMs} ms`,
        )
        return
      } catch (e) {
        lastError = (e as Error).message
        const wait = restartBackoffMs * 2 ** (attempt - 1)
        this.log(
          `client server for ${node}: restart attempt ${attempt} of ${restartAttempts} failed: ${lastError}` +
            (attempt < restartAttempts ? `; next in ${wait} ms` : ''),
        )
        if (attempt < restartAttempts) await sleep(wait)
      }
    }
    if (this.stopping) return
    const error = `client server for ${node} could not be restarted after ${restartAttempts} attempts: ${lastError}`
    slot.server.lost = error
    this.record({ node, reason, previous, failedAt, downMs: Date.now() - failedAt, error })
    this.log(error)
  }

  private record(event: Omit<RestartEvent, 'seq'>): void {
    this.events.push({ seq: this.events.length + 1, ...event })
    this.save()
  }

  private save(): void {
    try {
      writeSupervisorState(this.o.stateFile, this.state())
    } catch (e) {
      this.log(`client-server supervisor: cannot write ${this.o.stateFile}: ${(e as Error).message}`)
    }
  }
}
