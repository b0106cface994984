// `jepsen-tikv test`: runs workloads through the Vitest Node API with Jepsen-style flags
// (DESIGN §4). The flags given become the JEPSEN_* variables that the workload files and
// globalSetup read (lib/config/options.ts), over those already set, so `npx vitest` and this
// command behave the same: flag > variable > default. `--workload all` with several faults in
// `--nemesis` is Jepsen's test-all: every workload once per listed fault, with a summary table.
// Exit: 0 all valid, 1 any invalid, 2 any unknown, 3 bad options, 4 crashed.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { mergeValidity, type Validity } from '../../checker/result.ts'
import { ConfigError, OPTIONS, type OptionSpec, optionsFromEnv } from '../config/options.ts'
import { DEFAULT_STORE, PACKAGE_ROOT } from '../config/paths.ts'
import { listRuns } from '../run-store/store.ts'
import { Command, Option } from './commander.ts'

/** `--workload all --nemesis a,b` means one run per fault (test-all); otherwise the faults go together. */
export function nemesisEnv(workload: string, nemesis: string): string {
  return workload === 'all' && !nemesis.includes(';') ? nemesis.split(',').join(';') : nemesis
}

/**
 * The variables a run sees: the environment's, overridden by the flags given (flag > variable >
 * default; defaults are applied when the variables are read). `given` lists the variables that
 * came from flags, so that errors name what the user typed.
 */
export function envFromFlags(
  flags: Record<string, string | boolean | undefined>,
  base: Record<string, string | undefined>,
): { env: Record<string, string | undefined>; given: Set<string> } {
  const env = { ...base }
  const given = new Set<string>()
  for (const [name, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    const v = flags[name]
    if (v === undefined || v === false) continue
    env[spec.env] = v === true ? 'true' : String(v)
    given.add(spec.env)
  }
  if (typeof flags.nemesis === 'string') {
    const workload = env[OPTIONS.workload.env] || OPTIONS.workload.default
    env[OPTIONS.nemesis.env] = nemesisEnv(workload, flags.nemesis)
  }
  return { env, given }
}

export function testCommand(): Command {
  const cmd = new Command('test')
  // Commander derives each option's attribute from its flag (--time-limit -> timeLimit), which is
  // the option's name in OPTIONS. No commander defaults: an unset flag must leave the variable be.
  for (const spec of Object.values(OPTIONS) as OptionSpec[]) {
    const boolean = spec.default === 'false'
    const fallback = spec.default === undefined || boolean ? '' : ` (default: ${spec.default})`
    cmd.addOption(
      new Option(
        boolean ? spec.flag : `${spec.flag} <value>`,
        `${spec.description} [${spec.env}]${fallback}`,
      ),
    )
  }
  return cmd.action(async (flags: Record<string, string | boolean | undefined>) => {
    const { env, given } = envFromFlags(flags, process.env)
    let options: ReturnType<typeof optionsFromEnv>
    try {
      options = optionsFromEnv(env)
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`jepsen-tikv test: ${e.forFlags(given)}`)
        process.exit(3)
      }
      throw e
    }
    env.JEPSEN_WORKLOAD = options.workload.join(',')
    env.JEPSEN_SEED = String(options.seed)
    Object.assign(process.env, env)

    if (!existsSync(join(PACKAGE_ROOT, 'workloads'))) {
      console.error(
        'jepsen-tikv test: this installed package has no workload test files; `jepsen-tikv test` runs a clone of the jepsen-tikv repository. In your own project, run Vitest with jepsen-tikv/global-setup (README: Using the package)',
      )
      process.exit(3)
    }
    const started = new Date().toISOString()
    const { startVitest } = await import('vitest/node')
    const files = options.workload.map((w) => `workloads/${w}.test.ts`)
    const vitest = await startVitest('test', files, {
      root: PACKAGE_ROOT,
      project: 'workloads',
      watch: false,
      run: true,
    })
    const failedTests = vitest?.state.getCountOfFailedTests() ?? 1
    await vitest?.close()

    const runs = listRuns(DEFAULT_STORE).filter(
      (r) => r.test && r.test.startedAt >= started && options.workload.includes(r.test.workload as never),
    )
    printSummary(runs)
    const verdict: Validity = mergeValidity(runs.map((r) => r.valid ?? 'unknown'))
    const expected = options.workload.length * options.nemesis.length
    if (runs.length < expected) {
      console.error(
        `jepsen-tikv test: ${expected - runs.length} of ${expected} runs did not finish (see the Vitest output above)`,
      )
      process.exit(verdict === false ? 1 : 4)
    }
    process.exit(verdict === true ? (failedTests > 0 ? 4 : 0) : verdict === false ? 1 : 2)
  })
}

function printSummary(runs: ReturnType<typeof listRuns>): void {
  if (runs.length === 0) return
  console.log('\nworkload      nemesis                              verdict   report')
  for (const r of [...runs].reverse()) {
    const nemesis = r.test?.nemesis.join(',') || 'none'
    const verdict = r.valid === true ? 'valid' : r.valid === false ? 'INVALID' : 'unknown'
    console.log(
      `${(r.test?.workload ?? r.name).padEnd(13)} ${nemesis.slice(0, 36).padEnd(36)} ${verdict.padEnd(9)} ${join(r.dir, 'report.html')}`,
    )
  }
}
