// The contracts the runner drives (Jepsen's client and nemesis protocols).
// - A Client talks to the system under test for one process at a time. The runner makes one
//   per client thread with the ClientFactory, opens it for the thread's process (and node), and
//   calls invoke for each op of that process. When an op completes with info or throws, the
//   process is retired: the runner closes that client and opens a fresh one for the thread's
//   next process (process + concurrency). invoke gets an AbortSignal that fires when the op's
//   deadline passes or the run is aborted; a late answer is ignored.
// - A Nemesis runs the fault ops the generator sends to the "nemesis" thread. Its completions
//   are recorded as info ops (the fault may or may not have taken effect). `faults` lets the
//   live progress line show what is currently broken.
// - A Monitor reports what happens to the harness itself while the run goes on (a client server
//   that died and was restarted); the runner records each report as a nemesis info op, so the
//   history and the report's timeline show it next to the faults.
import type { Op, TxnTimestamps } from '../history/op.ts'

export interface Completion<V = unknown> {
  type: 'ok' | 'fail' | 'info'
  /** The value the op completed with (reads); defaults to the invocation's value. */
  value?: V
  error?: string
  /** Which node served the op, when known. */
  node?: string
  /** A transaction's timestamps (DESIGN §3), when the DB reports them. */
  ts?: TxnTimestamps
}

export interface Client {
  open(process: number, node?: string): Promise<void> | void
  invoke(op: Op, signal: AbortSignal): Promise<Completion> | Completion
  close(): Promise<void> | void
}

export type ClientFactory = () => Client

export interface Nemesis {
  setup?(): Promise<void> | void
  invoke(op: Op): Promise<Omit<Completion, 'type'> | undefined> | Omit<Completion, 'type'> | undefined
  teardown?(): Promise<void> | void
  /** A short description of the faults in effect now, for progress lines ("" when none). */
  faults?(): string
}

/** One harness event, recorded as `{type: "info", process: "nemesis", f, value, error}`. */
export interface MonitorEvent {
  f: string
  value?: unknown
  error?: string
}

export interface Monitor {
  /** Called once the clients are open and the clock runs; `report` records an event at once. */
  start(report: (event: MonitorEvent) => void): void
  /** Called when the run ends (before the history is closed); may still report. */
  stop(): void
}

/** What the runner uses when the test has no nemesis: records nemesis ops and does nothing. */
export const noopNemesis: Nemesis = { invoke: () => undefined }

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
