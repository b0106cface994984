// Where a test worker finds each node's client server while the supervisor (supervisor.ts, in
// the process that started the cluster) may restart it on a new port: the addresses of
// ClusterInfo.clientServers, mapped through the supervisor's state file to where each server
// answers now; and, as a runner Monitor, every restart (or failed restart) reported into the
// history. A server given up as lost before the run began is reported when the run starts.
import type { Monitor, MonitorEvent } from '../runner/client.ts'
import {
  CLIENT_SERVER_RESTART,
  type RestartEvent,
  readSupervisorState,
  type SupervisedServer,
  type SupervisorState,
} from './supervisor-state.ts'

/** What a directory needs of ClusterInfo (lib/cluster/cluster.ts). */
export interface ClientServerList {
  clientServers: { node: string; address: string }[]
  /** The supervisor's state file, when the cluster supervises its client servers. */
  clientServerState?: string
}

/** How a restart event is recorded in the history. */
export function restartOp(e: RestartEvent): MonitorEvent {
  const value = { node: e.node, reason: e.reason, previous: e.previous, address: e.address, downMs: e.downMs }
  return { f: CLIENT_SERVER_RESTART, value, ...(e.error ? { error: e.error } : {}) }
}

export class ClientServerDirectory {
  private state: SupervisorState | undefined
  /** Events up to this seq were there before this directory (not this run's). */
  private seen = 0
  private readonly lostBefore: SupervisedServer[]

  constructor(private readonly list: ClientServerList) {
    if (list.clientServers.length === 0)
      throw new Error('the cluster has no client servers (did globalSetup start them?)')
    this.refresh()
    this.lostBefore = (this.state?.servers ?? []).filter((s) => s.lost && this.listed(s))
  }

  /** Whether the run uses this supervised server (a test may bring client servers of its own). */
  private listed(s: SupervisedServer): boolean {
    return this.list.clientServers.some((c) => c.address === s.original)
  }

  /** Re-reads the supervisor's state; returns the events not returned before. */
  refresh(): RestartEvent[] {
    if (!this.list.clientServerState) return []
    this.state = readSupervisorState(this.list.clientServerState) ?? this.state
    const fresh = (this.state?.events ?? []).filter((e) => e.seq > this.seen)
    this.seen = Math.max(this.seen, ...fresh.map((e) => e.seq))
    const used = (e: RestartEvent) => this.state?.servers.some((s) => s.node === e.node && this.listed(s))
    return fresh.filter(used)
  }

  /** The address of `node`'s client server now (unknown node: the first server, as Jepsen wraps around). */
  address(node: string | undefined): string {
    const listed = (this.list.clientServers.find((c) => c.node === node) ?? this.list.clientServers[0])
      .address
    return this.server(listed)?.address ?? listed
  }

  /** The supervised server first started at `original`, if the supervisor has it. */
  private server(original: string): SupervisedServer | undefined {
    return this.state?.servers.find((s) => s.original === original)
  }

  /** The supervisor's record of `node`'s server (pid, restarts, lost), if supervised. */
  supervised(node: string): SupervisedServer | undefined {
    const listed = this.list.clientServers.find((c) => c.node === node)
    return listed && this.server(listed.address)
  }

  /** Reports restarts into the run's history, checking the state every `intervalMs`. */
  monitor(intervalMs = 250): Monitor {
    let timer: NodeJS.Timeout | undefined
    let report: (e: MonitorEvent) => void = () => {}
    const poll = () => {
      for (const e of this.refresh()) report(restartOp(e))
    }
    return {
      start: (r) => {
        report = r
        for (const s of this.lostBefore)
          r({ f: CLIENT_SERVER_RESTART, value: { node: s.node, previous: s.address }, error: s.lost })
        poll()
        timer = setInterval(poll, intervalMs)
      },
      stop: () => {
        clearInterval(timer)
        poll()
      },
    }
  }
}
