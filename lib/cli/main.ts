// `jepsen-tikv`: the command-line entry (DESIGN §4). Each subcommand lives in its own module;
// this file only declares them. Exit codes: 0 valid, 1 invalid, 2 unknown, 3+ usage/input error.
import { Command, CommanderError } from 'commander'
import { analyzeCommand } from './analyze.ts'
import { serveCommand } from './serve.ts'
import { teardownCommand } from './teardown.ts'
import { testCommand } from './test.ts'

export const EXIT = { valid: 0, invalid: 1, unknown: 2, usage: 3, crashed: 4 } as const

const program = new Command('jepsen-tikv')
  .description('Jepsen tests for TiKV (and etcd), run by Vitest')
  .showHelpAfterError()
  .exitOverride()
for (const cmd of [testCommand(), analyzeCommand(), teardownCommand(), serveCommand()])
  program.addCommand(cmd.copyInheritedSettings(program))

try {
  await program.parseAsync(process.argv)
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT.usage)
  console.error(`jepsen-tikv: ${(e as Error).message}`)
  process.exit(EXIT.crashed)
}
