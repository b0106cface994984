// The generator API in one import: `import * as gen from '../lib/generator/index.ts'`.
// Semantics follow Jepsen's jepsen.generator; see core.ts for the protocol.

export type { Context, Thread } from './context.ts'
export { any, cycle, filter, flipFlop, limit, log, map, mix, once, repeat, untilOk } from './control.ts'
export type { Event, Gen, Generator, GenFn, GenOp, OpMap, Step } from './core.ts'
export { fillIn, op, PENDING, sequence, update } from './core.ts'
export * as independent from './independent.ts'
export { Rng, randomSeed } from './random.ts'
export { Scheduler } from './scheduler.ts'
export { simulate } from './simulate.ts'
export { andThen, clients, eachThread, nemesis, onThreads, phases, reserve, synchronize } from './threads.ts'
export { delay, sleep, stagger, timeLimit } from './timing.ts'
