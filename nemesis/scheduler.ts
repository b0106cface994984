// PD scheduler faults (TiKV only): shuffle-leader, shuffle-region and random-merge schedulers
// added and removed through PD's HTTP API, so that leaders and regions move while clients
// run. API errors propagate to the op (recorded as info with the error), never swallowed.

export const SCHEDULER_FAULTS = ['shuffle-leader', 'shuffle-region', 'random-merge'] as const
export type SchedulerFault = (typeof SCHEDULER_FAULTS)[number]

/** What the nemesis needs from a PD API client (lib/db/pd-api.ts). */
export interface SchedulerApi {
  /** POST /pd/api/v1/schedulers {name}; "scheduler existed" counts as success. */
  addScheduler(name: string): Promise<void>
  /** DELETE /pd/api/v1/schedulers/{name}; "scheduler not found" counts as success. */
  removeScheduler(name: string): Promise<void>
}

/** PD's API name of a scheduler fault, e.g. shuffle-leader -> shuffle-leader-scheduler. */
export function schedulerName(fault: SchedulerFault): string {
  return `${fault}-scheduler`
}

export class SchedulerFaults {
  private readonly active = new Set<SchedulerFault>()

  constructor(private readonly api: SchedulerApi) {}

  async start(fault: SchedulerFault): Promise<string> {
    this.active.add(fault)
    await this.api.addScheduler(schedulerName(fault))
    return schedulerName(fault)
  }

  async stop(fault: SchedulerFault): Promise<string> {
    await this.api.removeScheduler(schedulerName(fault))
    this.active.delete(fault)
    return schedulerName(fault)
  }

  /** Removes every scheduler this nemesis added (idempotent). */
  async heal(): Promise<string[]> {
    const removed = await Promise.all([...this.active].map((f) => this.stop(f)))
    return removed
  }

  current(): string[] {
    return [...this.active].map((f) => `${schedulerName(f)} on`)
  }
}
