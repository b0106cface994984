// `jepsen-tikv`: the command-line entry (DESIGN §4). Each subcommand lives in its own module and
// only the one being run is loaded, so `analyze` never pays for the cluster, SSH and option
// validation code of `test` and `teardown` (start-up is a large part of checking a small
// history); well-formed `analyze` arguments do not even load commander (see analyze.ts).
// Exit codes: 0 valid, 1 invalid, 2 unknown, 3 usage/input error, 4 crashed.
import type { Command } from './commander.ts'

export const EXIT = { valid: 0, invalid: 1, unknown: 2, usage: 3, crashed: 4 } as const

const SUBCOMMANDS: Record<string, { description: string; load: () => Promise<Command> }> = {
  test: {
    description:
      'run workloads against a cluster (provisioned by Vitest globalSetup); each option is a flag or its variable, flag first',
    load: async () => (await import('./test.ts')).testCommand(),
  },
  analyze: {
    description: 'check saved histories (JSONL, Jepsen EDN, Porcupine logs) or store run directories',
    load: async () => (await import('./analyze.ts')).analyzeCommand(),
  },
  teardown: {
    description:
      'remove everything jepsen-tikv created on this host (clusters, namespaces, bridges, processes); with --nodes and --ssh-private-key also heal those ssh hosts',
    load: async () => (await import('./teardown.ts')).teardownCommand(),
  },
  serve: {
    description: 'browse store/ (runs, verdicts, reports, logs) at http://127.0.0.1:PORT',
    load: async () => (await import('./serve.ts')).serveCommand(),
  },
}

/** The class of commander's usage errors, once commander is loaded. */
let CommanderErrorClass: (new (...args: never[]) => { exitCode: number }) | undefined

try {
  // `jepsen-tikv NAME ...` and `jepsen-tikv help NAME` load NAME; the others are listed by name.
  const args = process.argv.slice(2)
  if (args[0] === 'analyze') {
    const { quickArgs, runAnalyze } = await import('./analyze.ts')
    const quick = quickArgs(args.slice(1))
    if (quick) await runAnalyze(quick.paths, quick.flags)
  }
  const { Command, CommanderError } = await import('./commander.ts')
  CommanderErrorClass = CommanderError
  const program = new Command('jepsen-tikv')
    .description('Jepsen tests for TiKV (and etcd), run by Vitest')
    .showHelpAfterError()
    .exitOverride()
  const chosen = args[0] === 'help' ? args[1] : args[0]
  for (const [name, sub] of Object.entries(SUBCOMMANDS)) {
    const cmd = name === chosen ? await sub.load() : new Command(name)
    program.addCommand(cmd.description(sub.description).copyInheritedSettings(program))
  }
  await program.parseAsync(process.argv)
} catch (e) {
  if (CommanderErrorClass && e instanceof CommanderErrorClass) process.exit(e.exitCode === 0 ? 0 : EXIT.usage)
  console.error(`jepsen-tikv: ${(e as Error).message}`)
  process.exit(EXIT.crashed)
}
