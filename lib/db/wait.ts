// Waiting for things on nodes to come up: a polling wait with a deadline, and the seed's
// restart loop (start, poll ready/starting/crashed, restart on crash, up to a deadline). The
// errors name what did not come up, for how long it was awaited and the last thing seen.
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `probe` until it returns a value other than `undefined`. A probe that throws counts as
 * "not yet"; its last error goes into the timeout message.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  pollMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer yet'
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
      last = 'not ready'
    } catch (e) {
      last = e instanceof Error ? e.message : String(e)
    }
    if (Date.now() >= deadline) {
      throw new Error(`${what} did not become ready within ${Math.round(timeoutMs / 1000)} s (last: ${last})`)
    }
    await sleep(pollMs)
  }
}

export type StartStatus = 'ready' | 'starting' | 'crashed'

export interface SuperviseOptions {
  /** What is being started, for messages, e.g. "pd on n1". */
  what: string
  start: () => Promise<void>
  /** ready: serves; starting: alive, not serving yet; crashed: process gone. */
  status: () => Promise<StartStatus>
  timeoutMs: number
  /** Restart after a crash (TiKV/PD are flaky while their peers come up); else fail at once. */
  restart: boolean
  /** Recent output of the process (log tail), quoted in errors and matched against `fatal`. */
  logTail: () => Promise<string>
  /** Output that means restarting cannot help (e.g. config errors): fail at once. */
  fatal?: RegExp
  log?: (message: string) => void
  pollMs?: number
}

/**
 * Starts a process and supervises it until ready (the seed's restart loop, 1 s polls). Resolves
 * to the number of restarts after crashes it took.
 */
export async function superviseStart(o: SuperviseOptions): Promise<number> {
  const deadline = Date.now() + o.timeoutMs
  const pollMs = o.pollMs ?? 1000
  let restarts = 0
  await o.start()
  for (;;) {
    await sleep(pollMs)
    const status = await o.status()
    if (status === 'ready') return restarts
    if (status === 'crashed') {
      const out = await o.logTail()
      const fatal = o.fatal?.exec(out)
      if (fatal) throw new Error(`${o.what} failed to start (${fatal[0].trim()}); last output:\n${out}`)
      if (!o.restart) throw new Error(`${o.what} exited during startup; last output:\n${out}`)
      if (Date.now() >= deadline) {
        throw new Error(
          `${o.what} kept crashing for ${Math.round(o.timeoutMs / 1000)} s; last output:\n${out}`,
        )
      }
      restarts++
      o.log?.(`${o.what} crashed during startup; restart #${restarts}`)
      await o.start()
    } else if (Date.now() >= deadline) {
      const out = await o.logTail()
      throw new Error(
        `${o.what} did not become ready within ${Math.round(o.timeoutMs / 1000)} s ` +
          `(alive but not serving, ${restarts} restarts); last output:\n${out}`,
      )
    }
  }
}
