// `jepsen-tikv analyze PATH...`: re-checks saved histories or store runs without a cluster.
// Prints one line per input (or one JSON object per input with --json) and exits 0 when all are
// valid, 1 when any is invalid, 2 when any is unknown (and none invalid), 3 on usage or input
// errors (the message names the file and line).
import { Command, InvalidArgumentError, Option } from 'commander'
import { CHECKERS, checkerNames } from '../../checker/registry.ts'
import { mergeValidity, type Validity } from '../../checker/result.ts'
import { HistoryError, readHistory } from '../history/read.ts'

const EXIT_BY_VALIDITY = (v: Validity) => (v === true ? 0 : v === false ? 1 : 2)

export function analyzeCommand(): Command {
  return new Command('analyze')
    .argument('<paths...>', 'history files or store run directories (e.g. store/latest)')
    .addOption(
      new Option('--checker <name>', 'checker to run').choices(checkerNames()).default('linearizable'),
    )
    .option('--model <name>', 'model for the checker (default: the checker’s own default)')
    .option('--time-limit <seconds>', 'give up after this long per input (verdict "unknown")', parsePositive)
    .option(
      '--timestamp-order',
      "transactional checkers: T1 precedes T2 when T1 committed at a timestamp before T2 started (the ops' ts)",
    )
    .option('--json', 'one JSON object per input on stdout')
    .action(
      async (
        paths: string[],
        opts: {
          checker: string
          model?: string
          timeLimit?: number
          timestampOrder?: boolean
          json?: boolean
        },
      ) => {
        const entry = CHECKERS[opts.checker]
        const model = opts.model ?? entry.defaultModel
        if (!entry.models.includes(model)) {
          console.error(
            `jepsen-tikv analyze: --model ${model} is not a model of --checker ${opts.checker}; allowed: ${entry.models.join(', ')}`,
          )
          process.exit(3)
        }
        if (opts.timestampOrder && !entry.timestampOrder) {
          const able = Object.entries(CHECKERS).filter(([, c]) => c.timestampOrder)
          console.error(
            `jepsen-tikv analyze: --timestamp-order does not apply to --checker ${opts.checker}; it orders transactions for: ${able.map(([n]) => n).join(', ')}`,
          )
          process.exit(3)
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
            model,
            timeLimitMs: opts.timeLimit && opts.timeLimit * 1000,
            timestampOrder: opts.timestampOrder,
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
      },
    )
}

function parsePositive(v: string): number {
  const n = Number(v)
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number of seconds')
  return n
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')
