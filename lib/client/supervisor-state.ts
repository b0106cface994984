// What the client-server supervisor (supervisor.ts) shares with the test workers (directory.ts):
// the address each supervised client server has now, and every restart, as one JSON file that
// the supervisor replaces atomically after each change. The supervisor lives in the process that
// owns the servers (Vitest's globalSetup); workload runs live in worker processes, so a file is
// the one channel both sides have.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'

/** The `f` of the nemesis-like info op a restart (or a failed one) is recorded as in the history. */
export const CLIENT_SERVER_RESTART = 'client-server-restart'

export interface SupervisedServer {
  node: string
  /** The address the server was first started at (what ClusterInfo.clientServers lists). */
  original: string
  /** Where it answers now. */
  address: string
  pid: number
  restarts: number
  /** Why it could not be restarted; from then on the node has no client server. */
  lost?: string
}

export interface RestartEvent {
  /** 1, 2, ... in the order the supervisor handled them. */
  seq: number
  node: string
  /** Why the server was replaced: "exited (signal SIGKILL)", "did not answer 3 health checks ...". */
  reason: string
  /** Address of the server that failed. */
  previous: string
  /** Wall-clock time of the failure (ms since the epoch). */
  failedAt: number
  /** Milliseconds from the failure until the new server answered (or until giving up). */
  downMs: number
  /** The new server; absent when it could not be restarted. */
  address?: string
  pid?: number
  /** Set when every restart attempt failed. */
  error?: string
}

export interface SupervisorState {
  servers: SupervisedServer[]
  events: RestartEvent[]
}

/** Replaces the state file atomically (readers never see a torn file). */
export function writeSupervisorState(path: string, state: SupervisorState): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, path)
}

/** The state, or undefined when the file does not exist (yet); a corrupt file is an error naming it. */
export function readSupervisorState(path: string): SupervisorState | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  try {
    const state = JSON.parse(text) as SupervisorState
    if (!Array.isArray(state.servers) || !Array.isArray(state.events)) throw new Error('no servers/events')
    return state
  } catch (e) {
    throw new Error(`client-server supervisor state ${path} is not valid: ${(e as Error).message}`)
  }
}
