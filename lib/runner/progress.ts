// Live progress of a run: completion counts by type, in-flight ops, the completion rate over
// the last interval and the nemesis's current faults, reported at a steady interval through a
// callback (the caller prints it to the console or to Vitest).

export interface Progress {
  elapsedMs: number
  invokes: number
  ok: number
  fail: number
  info: number
  inFlight: number
  /** Client completions per second over the last interval. */
  opsPerSec: number
  /** The nemesis's description of the faults in effect ("" when none or unknown). */
  faults: string
  /** True for the last report, sent when the run has finished. */
  done: boolean
}

export interface Counts {
  invokes: number
  ok: number
  fail: number
  info: number
}

export function formatProgress(p: Progress): string {
  const faults = p.faults ? ` | faults: ${p.faults}` : ''
  return `${(p.elapsedMs / 1000).toFixed(1)}s ${Math.round(p.opsPerSec)} ops/s | ok ${p.ok} fail ${p.fail} info ${p.info} | in flight ${p.inFlight}${faults}`
}

/** Calls `report` every `intervalMs` with fresh figures until stopped. */
export class ProgressMeter {
  private timer: NodeJS.Timeout | undefined
  private lastDone = 0
  private lastAt = 0

  constructor(
    private readonly read: () => Omit<Progress, 'opsPerSec' | 'done'>,
    private readonly report: (p: Progress) => void,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.tick(false), intervalMs)
    this.timer.unref()
  }

  private tick(done: boolean): void {
    const p = this.read()
    const completed = p.ok + p.fail + p.info
    const dt = (p.elapsedMs - this.lastAt) / 1000
    const opsPerSec = dt > 0 ? (completed - this.lastDone) / dt : 0
    this.lastDone = completed
    this.lastAt = p.elapsedMs
    this.report({ ...p, opsPerSec, done })
  }

  /** Sends the final report and stops. */
  stop(): void {
    clearInterval(this.timer)
    this.tick(true)
  }
}
