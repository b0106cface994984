// `jepsen-tikv analyze PATH...`: re-checks saved histories or store runs without a cluster.
// Prints one line per input (or one JSON object per input with --json) and exits 0 when all are
// valid, 1 when any is invalid, 2 when any is unknown (and none invalid), 3 on usage or input
// errors (the message names the file and line, or the flag and what it allows). Checker
// parameters: --initial (the model's initial value, linearizable), --timestamp-order
// (transactional checkers) and the rw-register key assumptions --sequential-keys,
// --linearizable-keys and --wfr-keys.
import { CHECKERS, type CheckerParam, checkerNames } from '../../checker/registry.ts'
import { type AnalyzeOptions, mergeValidity, type Validity } from '../../checker/result.ts'
import { HistoryError, readHistory } from '../history/read.ts'
import { Command, InvalidArgumentError, Option } from './commander.ts'

const EXIT_BY_VALIDITY = (v: Validity) => (v === true ? 0 : v === false ? 1 : 2)

interface Flags {
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

export function analyzeCommand(): Command {
  return new Command('analyze')
    .argument('<paths...>', 'history files or store run directories (e.g. store/latest)')
    .addOption(
      new Option('--checker <name>', 'checker to run').choices(checkerNames()).default('linearizable'),
    )
    .option('--model <name>', 'model for the checker (default: the checker’s own default)')
    .option(
      '--initial <json>',
      'linearizable: the model’s initial value as JSON, e.g. 0 or {"x":0,"y":0} (default: null; {} for multi-register and kv)',
      parseJson,
    )
    .option(
      '--timestamp-order',
      "transactional checkers: T1 precedes T2 when T1 committed at a timestamp before T2 started (the ops' ts)",
    )
    .option('--sequential-keys', 'rw-register: assume each key’s writes are sequentially consistent')
    .option('--linearizable-keys', 'rw-register: assume each key’s writes are linearizable')
    .option('--wfr-keys', 'rw-register: assume a txn’s write of a key follows the version it read')
    .option('--time-limit <seconds>', 'give up after this long per input (verdict "unknown")', parsePositive)
    .option('--json', 'one JSON object per input on stdout')
    .action(async (paths: string[], opts: Flags) => {
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
    })
}

function parsePositive(v: string): number {
  const n = Number(v)
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number of seconds')
  return n
}

function parseJson(v: string): unknown {
  try {
    return JSON.parse(v)
  } catch (e) {
    throw new InvalidArgumentError(`must be JSON, e.g. 0, null or {"x":0,"y":0} (${(e as Error).message})`)
  }
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
