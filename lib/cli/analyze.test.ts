// `analyze` reads well-formed arguments without commander (quickArgs) and leaves everything else
// to its commander definition: wherever quickArgs answers, commander must read the same paths
// and flags, and the forms it leaves alone must reach commander.
import { describe, expect, test } from 'vitest'
import { type AnalyzeFlags, analyzeCommand, quickArgs } from './analyze.ts'

/** What commander hands the action for `args`, or undefined when it refuses them. */
async function viaCommander(args: string[]): Promise<{ paths: string[]; flags: AnalyzeFlags } | undefined> {
  const cmd = await analyzeCommand()
  let got: { paths: string[]; flags: AnalyzeFlags } | undefined
  cmd
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
    .action((paths: string[], flags: AnalyzeFlags) => {
      got = { paths, flags: { ...flags } }
    })
  try {
    await cmd.parseAsync(args, { from: 'user' })
  } catch {
    return undefined
  }
  return got
}

describe('analyze arguments without commander', () => {
  test.each([
    [['h.edn']],
    [['a.log', 'b.log', 'store/latest']],
    [['--json', 'a']],
    [['a', '--json', 'b']],
    [['--model', 'kv', 'a']],
    [['--model=kv', 'a']],
    [['--model=', 'a']],
    [['--model', 'register', 'a', '--model', 'kv', 'b']],
    [['--checker', 'list-append', '--model', 'serializable', '--timestamp-order', 'a']],
    [['--checker=rw-register', '--wfr-keys', '--sequential-keys', '--linearizable-keys', 'a']],
    [['--checker', 'monotonic', 'a']],
    [['--initial', '{"x":0,"y":0}', '--model', 'multi-register', 'a']],
    [['--initial={"x":0}', 'a']],
    [['--initial', '0', 'a']],
    [['--time-limit', '0.5', 'a']],
    [['--time-limit=2', '--json', '--json', 'a']],
    [['--', '-a', '--json']],
    [['a', '--', '--json']],
  ])('%j: the same paths and flags as commander', async (args) => {
    const quick = quickArgs(args)
    expect(quick).toBeDefined()
    expect(quick).toEqual(await viaCommander(args))
  })

  test.each([
    [[]],
    [['--json']],
    [['--help']],
    [['-h', 'a']],
    [['-', 'a']],
    [['--checker', 'knossos', 'a']],
    [['--time-limit', '0', 'a']],
    [['--time-limit', 'soon', 'a']],
    [['--time-limit', '-1', 'a']],
    [['--initial', '{x:0}', 'a']],
    [['--initial', '-1', 'a']],
    [['--initial', 'null', 'a']],
    [['--model']],
    [['a', '--model']],
    [['--model', '--json', 'a']],
    [['--json=1', 'a']],
    [['--unknown', 'a']],
    [['--mod', 'kv', 'a']],
  ])('%j: left to commander', (args) => {
    expect(quickArgs(args)).toBeUndefined()
  })
})
