// The test clock: integer nanoseconds since the test started, from process.hrtime (monotonic,
// immune to wall-clock steps), as history ops carry them (DESIGN §3).

export type Clock = () => number

export function startClock(): Clock {
  const t0 = process.hrtime.bigint()
  return () => Number(process.hrtime.bigint() - t0)
}
