// The linearizability checker (DESIGN §9): `analyze(history, {model, timeLimitMs, signal})`
// splits the history into independent parts (per key and per the model's partition), runs a
// Wing–Gong–Lowe search on each (calling thread plus worker threads, first failure cancels
// the rest) and returns one CheckResult. Valid is true only when every part linearizes; a
// time limit, memory bound or abort gives "unknown", never a pass.
//
// Custom models: pass a `Model` object as `model`; models without a `spec` (all user models)
// are searched on the calling thread only, since functions cannot be sent to a worker.
import type { Op } from '../../lib/history/op.ts'
import { type AnalyzeOptions, type CheckResult, mergeValidity } from '../result.ts'
import { type Failure, failureText } from './explain.ts'
import type { Model } from './model.ts'
import { resolveModel } from './models.ts'
import { prepareParts } from './prepare.ts'
import { checkParts, type ScheduleOptions } from './schedule.ts'

export type { Failure, OpView } from './explain.ts'
export { equalValue, hashValue, type Model, type ModelOp } from './model.ts'
export { casRegister, initialValueProblem, kv, MODELS, multiRegister, register } from './models.ts'

export interface LinearizableOptions extends Omit<AnalyzeOptions, 'model'>, ScheduleOptions {
  /** A built-in model name (register, cas-register, multi-register, kv) or a model object. */
  model?: string | Model<unknown>
  /** Initial value of a built-in model named by `model` (default: null, or {} for multi-register and kv). */
  initial?: unknown
  /** Split by key and by the model's partition (default true). Turn off only to benchmark. */
  partition?: boolean
}

export interface LinearizableResult extends CheckResult {
  checker: 'linearizable'
  model: string
  /** Number of independent parts searched. */
  parts: number
  /** Search configurations visited, over all parts. */
  configurations: number
  /** Threads that searched parts (1 = the calling thread only). */
  threads: number
  /** Present when valid is false. */
  failure?: Failure
  /** Undecided parts and why (time limit, memory bound, aborted). */
  unknown?: { key: string; reason: string }[]
}

export async function analyze(history: Op[], opts: LinearizableOptions = {}): Promise<LinearizableResult> {
  const startedAt = performance.now()
  const model = resolveModel(opts.model, opts.initial)
  const parts = prepareParts(history, model, opts.partition ?? true)
  const verdicts = await checkParts(parts, model, { startedAt, ...opts })
  const valid = mergeValidity(verdicts.map((v) => v.valid))
  const result: LinearizableResult = {
    valid,
    checker: 'linearizable',
    model: model.name,
    parts: parts.length,
    configurations: verdicts.reduce((n, v) => n + v.configurations, 0),
    threads: new Set(verdicts.filter((v) => v.thread >= 0).map((v) => v.thread)).size,
  }
  const failed = verdicts.find((v) => v.valid === false)
  if (failed?.failure) {
    result.failure = failed.failure
    result.explanation = failureText(failed.failure, model.name)
  } else if (valid === 'unknown') {
    const unknown = verdicts.flatMap((v, i) =>
      v.valid === 'unknown' ? [{ key: parts[i].key, reason: v.reason ?? 'undecided' }] : [],
    )
    result.unknown = unknown
    const keys = unknown.map((u) => (u.key === '' ? 'the history' : `key ${u.key}`))
    result.explanation = `linearizability unknown (model ${model.name}): ${unknown[0].reason} for ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}; ${parts.length - unknown.length} of ${parts.length} parts linearizable`
  }
  return result
}
