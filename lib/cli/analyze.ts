// `jepsen-tikv analyze PATH...`: re-checks saved histories or store runs without a cluster.
// Prints one line per input (or one JSON object per input with --json) and exits 0 when all are
// valid, 1 when any is invalid, 2 when any is unknown (and none invalid), 3 on usage or input
// errors (the message names the file and line, or the flag and what it allows). Checker
// parameters: --initial (the model's initial value, linearizable), --timestamp-order
// (transactional checkers) and the rw-register key assumptions --sequential-keys,
// --linearizable-keys and --wfr-keys.
//
// Well-formed arguments are read by quickArgs without loading commander, whose code costs about
// as much start-up as the rest of checking a small history; anything else (--help, an unknown
// or malformed option, a bad value) goes to the commander definition, which says what is wrong
// in its usual words. analyze.test.ts checks that both read every accepted form alike.
import { CHECKERS, type CheckerParam, checkerNames } from '../../checker/registry.ts'
import { type AnalyzeOptions, mergeValidity, type Validity } from '../../checker/result.ts'
import { HistoryError, readHistory } from '../history/read.ts'
import type { Command } from './commander.ts'

const EXIT_BY_VALIDITY = (v: Validity) => (v === true ? 0 : v === false ? 1 : 2)

/** analyze's options as commander hands them to the action (and quickArgs builds them). */
export interface AnalyzeFlags {
  checker: string
  model?: string
  timeLimit?: number
  json?: boolean
  initial?: unknown
  timestampOrder?: boolean
  sequentialKeys?: boolean
  linearizableKeys?: boolean
  wfrKeys?: boolean
}

/** The flag of each checker parameter, for messages. */
const PARAM_FLAGS: Record<CheckerParam, string> = {
  initial: '--initial',
  timestampOrder: '--timestamp-order',
  sequentialKeys: '--sequential-keys',
  linearizableKeys: '--linearizable-keys',
  wfrKeys: '--wfr-keys',
}

function usageError(message: string): never {
  console.error(`jepsen-tikv analyze: ${message}`)
  process.exit(3)
}

export async function analyzeCommand(): Promise<Command> {
  const { Command, InvalidArgumentError, Option } = await import('./commander.ts')
  /** A value parser for commander: our ArgumentProblem becomes its InvalidArgumentError. */
  const checked =
    <T>(parse: (v: string) => T) =>
    (v: string): T => {
      try {
        return parse(v)
      } catch (e) {
        if (e instanceof ArgumentProblem) throw new InvalidArgumentError(e.message)
        throw e
      }
    }
  return new Command('analyze')
    .argument('<paths...>', 'history files or store run directories (e.g. store/latest)')
    .addOption(
      new Option('--checker <name>', 'checker to run').choices(checkerNames()).default('linearizable'),
    )
    .option('--model <name>', 'model for the checker (default: the checker’s own default)')
    .option(
      '--initial <json>',
      'linearizable: the model’s initial value as JSON, e.g. 0 or {"x":0,"y":0} (default: null; {} for multi-register and kv)',
      checked(parseJson),
    )
    .option(
      '--timestamp-order',
      "transactional checkers: T1 precedes T2 when T1 committed at a timestamp before T2 started (the ops' ts)",
    )
    .option('--sequential-keys', 'rw-register: assume each key’s writes are sequentially consistent')
    .option('--linearizable-keys', 'rw-register: assume each key’s writes are linearizable')
    .option('--wfr-keys', 'rw-register: assume a txn’s write of a key follows the version it read')
    .option(
      '--time-limit <seconds>',
      'give up after this long per input (verdict "unknown")',
      checked(parsePositive),
    )
    .option('--json', 'one JSON object per input on stdout')
    .action(runAnalyze)
}

const BOOLEAN_OPTIONS: Record<string, keyof AnalyzeFlags> = {
  '--timestamp-order': 'timestampOrder',
  '--sequential-keys': 'sequentialKeys',
  '--linearizable-keys': 'linearizableKeys',
  '--wfr-keys': 'wfrKeys',
  '--json': 'json',
}
/** Sets a value option's flag; false leaves the arguments to commander. */
const VALUE_OPTIONS: Record<string, (flags: AnalyzeFlags, v: string) => boolean> = {
  '--checker': (f, v) => {
    f.checker = v
    return Object.hasOwn(CHECKERS, v)
  },
  '--model': (f, v) => {
    f.model = v
    return true
  },
  // commander stores a parsed null as '' (its value for an option given without one).
  '--initial': (f, v) => {
    f.initial = parseJson(v)
    return f.initial !== null
  },
  '--time-limit': (f, v) => {
    f.timeLimit = parsePositive(v)
    return true
  },
}

/**
 * analyze's paths and flags as commander would give them, when every argument is one it reads
 * the same way: paths, `--`, the options above as `--name value` or `--name=value` with a value
 * that does not start with `-`, a known checker, values that parse (an --initial of null aside).
 * Otherwise undefined.
 */
export function quickArgs(args: readonly string[]): { paths: string[]; flags: AnalyzeFlags } | undefined {
  const flags: AnalyzeFlags = { checker: 'linearizable' }
  const paths: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === '--') {
      paths.push(...args.slice(i + 1))
      break
    }
    if (!a.startsWith('-')) {
      paths.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const name = eq < 0 ? a : a.slice(0, eq)
    if (Object.hasOwn(BOOLEAN_OPTIONS, name)) {
      if (eq >= 0) return undefined
      Object.assign(flags, { [BOOLEAN_OPTIONS[name]]: true })
      continue
    }
    if (!Object.hasOwn(VALUE_OPTIONS, name)) return undefined
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i]
    if (value === undefined || value.startsWith('-')) return undefined
    try {
      if (!VALUE_OPTIONS[name](flags, value)) return undefined
    } catch (e) {
      if (e instanceof ArgumentProblem) return undefined
      throw e
    }
  }
  return paths.length === 0 ? undefined : { paths, flags }
}

/** Checks each path and exits with the merged verdict's code. */
export async function runAnalyze(paths: string[], opts: AnalyzeFlags): Promise<void> {
  const entry = CHECKERS[opts.checker]
  const model = opts.model ?? entry.defaultModel
  if (!entry.models.includes(model))
    usageError(
      `--model ${model} is not a model of --checker ${opts.checker}; allowed: ${entry.models.join(', ')}`,
    )
  const params: AnalyzeOptions = {}
  for (const [param, flag] of Object.entries(PARAM_FLAGS) as [CheckerParam, string][]) {
    if (opts[param] === undefined) continue
    if (!entry.params.includes(param))
      usageError(
        `${flag} does not apply to --checker ${opts.checker} (${flag} is for --checker ${checkerNames()
          .filter((c) => CHECKERS[c].params.includes(param))
          .join(', ')})`,
      )
    Object.assign(params, { [param]: opts[param] })
  }
  if (params.initial !== undefined) {
    const { initialValueProblem } = await import('../../checker/linearizable/models.ts')
    const problem = initialValueProblem(model, params.initial)
    if (problem) usageError(`--initial: ${problem}`)
  }
  const analyze = await entry.load()
  const verdicts: Validity[] = []
  let inputError = false
  for (const file of paths) {
    let history: ReturnType<typeof readHistory>
    try {
      history = readHistory(file)
    } catch (e) {
      if (!(e instanceof HistoryError)) throw e
      inputError = true
      if (opts.json) console.log(JSON.stringify({ file, valid: 'unknown', error: e.message }))
      console.error(`jepsen-tikv analyze: ${e.message}`)
      continue
    }
    const result = await analyze(history, {
      ...params,
      model,
      timeLimitMs: opts.timeLimit && opts.timeLimit * 1000,
    })
    verdicts.push(result.valid)
    if (opts.json) console.log(JSON.stringify({ file, ...result, model }))
    else {
      const word = result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'UNKNOWN'
      const order = opts.timestampOrder ? ', timestamp order' : ''
      console.log(`${file}: ${word} (${opts.checker}, ${model}${order}, ${history.length} ops)`)
      if (result.valid !== true && result.explanation) console.log(indent(result.explanation))
    }
  }
  process.exit(inputError ? 3 : EXIT_BY_VALIDITY(mergeValidity(verdicts)))
}

/** A bad option value, in the words commander prints after "option '--x <v>' argument 'y' is invalid.". */
class ArgumentProblem extends Error {}

function parsePositive(v: string): number {
  const n = Number(v)
  if (!(n > 0)) throw new ArgumentProblem('must be a positive number of seconds')
  return n
}

function parseJson(v: string): unknown {
  try {
    return JSON.parse(v)
  } catch (e) {
    throw new ArgumentProblem(`must be JSON, e.g. 0, null or {"x":0,"y":0} (${(e as Error).message})`)
  }
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
