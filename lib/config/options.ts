// Every test option in one table (DESIGN §4): its CLI flag, its environment variable, its
// default and its validation. `jepsen-tikv test` turns the flags it was given into these
// variables over the environment's and starts Vitest; plain `npx vitest` runs read the same
// variables. Precedence: flag > variable > default. Bad values are reported up front, naming
// the flag or variable that gave them and the allowed values, before anything is provisioned.
import { z } from 'zod'
import { DEFAULT_STATE_DIR } from '../cluster/registry.ts'

export const WORKLOADS = ['register', 'set', 'list-append', 'rw-register', 'bank', 'monotonic'] as const
export const DBS = ['etcd', 'tikv'] as const
export const PROVIDERS = ['local', 'lxc', 'ssh'] as const

/** Fault names the nemesis understands, and the shorthands that expand to several. */
export const FAULTS = [
  'partition-one',
  'partition-half',
  'partition-ring',
  'partition-bridge',
  'partition-leader',
  'kill-pd',
  'kill-kv',
  'pause-pd',
  'pause-kv',
  'kill',
  'pause',
  'shuffle-leader',
  'shuffle-region',
  'random-merge',
  'restart-kv-without-pd',
  'clock-skew',
  'clock-strobe',
] as const
export const FAULT_SHORTHANDS: Record<string, readonly string[]> = {
  partition: ['partition-one', 'partition-half', 'partition-ring', 'partition-bridge', 'partition-leader'],
  schedules: ['shuffle-leader', 'shuffle-region', 'random-merge'],
  all: ['partition', 'kill', 'pause', 'schedules'],
  none: [],
}

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max)
const seconds = z.coerce.number().min(0)

/** A node count ("5") or a comma-separated host list ("n1,n2,10.0.0.3:2222"). */
const nodeList = z
  .string()
  .trim()
  .min(1)
  .transform((v, ctx): number | string[] => {
    if (/^\d+$/.test(v)) {
      const n = Number(v)
      if (n < 1 || n > 200) ctx.addIssue({ code: 'custom', message: `a node count must be 1..200, got ${v}` })
      return n
    }
    const hosts = v.split(',').map((h) => h.trim())
    if (hosts.some((h) => !/^[A-Za-z0-9._-]+(:\d+)?$/.test(h))) {
      ctx.addIssue({ code: 'custom', message: `expected a count or host[:port],host[:port],..., got "${v}"` })
    }
    return hosts
  })

export interface OptionSpec {
  env: string
  flag: string
  description: string
  default?: string
  schema: z.ZodType
}

export const OPTIONS = {
  workload: {
    env: 'JEPSEN_WORKLOAD',
    flag: '--workload',
    description: `workload(s) to run, comma-separated, or "all": ${WORKLOADS.join(', ')}`,
    default: 'register',
    schema: z
      .string()
      .transform((s) => (s === 'all' ? [...WORKLOADS] : s.split(',').map((x) => x.trim())))
      .pipe(z.array(z.enum(WORKLOADS))),
  },
  nemesis: {
    env: 'JEPSEN_NEMESIS',
    flag: '--nemesis',
    description: `faults enabled together, comma-separated (${FAULTS.join(', ')}; shorthands ${Object.keys(FAULT_SHORTHANDS).join(', ')}); separate several such sets with ";" to run each workload once per set (the test-all matrix)`,
    default: 'none',
    schema: z
      .string()
      .transform((s) =>
        s.split(';').map((combo) =>
          combo
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
        ),
      )
      .pipe(z.array(z.array(z.enum([...FAULTS, ...Object.keys(FAULT_SHORTHANDS)] as [string, ...string[]]))))
      .transform((combos) => combos.map(expandFaults)),
  },
  timeLimit: {
    env: 'JEPSEN_TIME_LIMIT',
    flag: '--time-limit',
    description: 'seconds of workload before the final heal',
    default: '30',
    schema: seconds,
  },
  concurrency: {
    env: 'JEPSEN_CONCURRENCY',
    flag: '--concurrency',
    description: 'client workers',
    default: '10',
    schema: int(1, 10_000),
  },
  rate: {
    env: 'JEPSEN_RATE',
    flag: '--rate',
    description: 'ops per second per worker (0 = as fast as possible)',
    default: '10',
    schema: seconds,
  },
  opsPerKey: {
    env: 'JEPSEN_OPS_PER_KEY',
    flag: '--ops-per-key',
    description: 'ops on each key before moving to a new key (independent workloads)',
    default: '100',
    schema: int(1),
  },
  nemesisInterval: {
    env: 'JEPSEN_NEMESIS_INTERVAL',
    flag: '--nemesis-interval',
    description: 'seconds between nemesis operations',
    default: '10',
    schema: seconds,
  },
  nemesisSchedule: {
    env: 'JEPSEN_NEMESIS_SCHEDULE',
    flag: '--nemesis-schedule',
    description: 'fixed or random intervals',
    default: 'random',
    schema: z.enum(['fixed', 'random']),
  },
  nemesisLongRecovery: {
    env: 'JEPSEN_NEMESIS_LONG_RECOVERY',
    flag: '--nemesis-long-recovery',
    description: 'alternate fault windows with long quiet windows',
    default: 'false',
    schema: bool,
  },
  finalRecoveryTime: {
    env: 'JEPSEN_FINAL_RECOVERY_TIME',
    flag: '--final-recovery-time',
    description: 'seconds to wait after the final heal before final reads',
    default: '10',
    schema: seconds,
  },
  db: {
    env: 'JEPSEN_DB',
    flag: '--db',
    description: `database: ${DBS.join(', ')}`,
    default: 'etcd',
    schema: z.enum(DBS),
  },
  version: {
    env: 'TIKV_VERSION',
    flag: '--version',
    description: 'TiKV/PD release, e.g. v8.5.1 (tikv only)',
    default: 'v8.5.1',
    schema: z.string().regex(/^v\d+\.\d+\.\d+(-[\w.]+)?$/, 'expected a release tag like v8.5.1'),
  },
  provider: {
    env: 'JEPSEN_PROVIDER',
    flag: '--provider',
    description: `where nodes come from: ${PROVIDERS.join(', ')} (default: ssh when --nodes lists hosts, else local)`,
    schema: z.enum(PROVIDERS),
  },
  nodes: {
    env: 'JEPSEN_NODES',
    flag: '--nodes',
    description: 'node count (local, lxc) or comma-separated hosts (ssh)',
    default: '5',
    schema: nodeList,
  },
  sshPrivateKey: {
    env: 'JEPSEN_SSH_PRIVATE_KEY',
    flag: '--ssh-private-key',
    description: 'private key for the ssh provider',
    schema: z.string().min(1),
  },
  sshUser: {
    env: 'JEPSEN_SSH_USER',
    flag: '--ssh-user',
    description: 'login user for the ssh provider',
    default: 'root',
    schema: z.string().min(1),
  },
  stateDir: {
    env: 'JEPSEN_STATE_DIR',
    flag: '--state-dir',
    description: 'where the control host records its runs (for cleanup of crashed runs and teardown)',
    default: DEFAULT_STATE_DIR,
    schema: z.string().startsWith('/', 'must be an absolute path'),
  },
  leaveDbRunning: {
    env: 'JEPSEN_LEAVE_DB_RUNNING',
    flag: '--leave-db-running',
    description: 'keep the cluster after the run',
    default: 'false',
    schema: bool,
  },
  nemesisErrors: {
    env: 'JEPSEN_NEMESIS_ERRORS',
    flag: '--nemesis-errors',
    description:
      'when a fault cannot be applied: continue (the op is recorded with its error) or abort the run',
    default: 'continue',
    schema: z.enum(['continue', 'abort']),
  },
  etcdReads: {
    env: 'JEPSEN_ETCD_READS',
    flag: '--etcd-reads',
    description: 'etcd read mode: linearizable, or serializable (possibly stale, for calibration)',
    default: 'linearizable',
    schema: z.enum(['linearizable', 'serializable']),
  },
  txnMode: {
    env: 'JEPSEN_TXN_MODE',
    flag: '--txn-mode',
    description: 'TiKV transaction mode: optimistic or pessimistic',
    default: 'optimistic',
    schema: z.enum(['optimistic', 'pessimistic']),
  },
  asyncCommit: {
    env: 'JEPSEN_ASYNC_COMMIT',
    flag: '--async-commit',
    description:
      'TiKV transactions try async commit (tikv-client use_async_commit; may fall back to 2PC, the history records the mode used)',
    default: 'false',
    schema: bool,
  },
  onePc: {
    env: 'JEPSEN_ONE_PC',
    flag: '--one-pc',
    description:
      'TiKV transactions try one-phase commit (tikv-client try_one_pc; combinable with --async-commit)',
    default: 'false',
    schema: bool,
  },
  timestampOrder: {
    env: 'JEPSEN_TIMESTAMP_ORDER',
    flag: '--timestamp-order',
    description:
      'list-append and rw-register checks also order transactions by their timestamps (T1 < T2 when T1 committed before T2 started)',
    default: 'false',
    schema: bool,
  },
  seed: {
    env: 'JEPSEN_SEED',
    flag: '--seed',
    description: 'random seed (default: time-based, recorded in test.json)',
    schema: int(0),
  },
} satisfies Record<string, OptionSpec>

export type OptionName = keyof typeof OPTIONS
export type TestOptions = { [K in OptionName]: z.output<(typeof OPTIONS)[K]['schema']> }

function expandFaults(names: string[]): string[] {
  const out = new Set<string>()
  const add = (n: string) => {
    const sub = FAULT_SHORTHANDS[n]
    if (sub) for (const s of sub) add(s)
    else out.add(n)
  }
  for (const n of names) add(n)
  return [...out]
}

export interface ConfigProblem {
  /** The option's spec; undefined for problems that involve several options. */
  spec?: OptionSpec
  raw?: string
  reason: string
}

/**
 * Bad options, each named by its environment variable (or, via `forFlags`, by the CLI flag that
 * gave it). A user's mistake, not a bug: the message is all there is to say, so the error carries
 * no stack trace and no enumerable fields (test runners print those as a dump).
 */
export class ConfigError extends Error {
  static {
    ConfigError.prototype.name = 'ConfigError'
  }
  readonly #problems: ConfigProblem[]
  constructor(problems: ConfigProblem[]) {
    super(problemLines(problems, () => false))
    this.#problems = problems
    this.stack = this.message
  }
  get problems(): ConfigProblem[] {
    return this.#problems
  }
  /**
   * The same problems for a command line: an option is named by its flag when the flag gave its
   * value (`given`: the variables set from flags; all when omitted), else by its variable.
   */
  forFlags(given?: ReadonlySet<string>): string {
    return problemLines(this.problems, (s) => given === undefined || given.has(s.env))
  }
}

/** "invalid configuration: X=...: reason" for one problem; one indented line each for several. */
function problemLines(problems: ConfigProblem[], byFlag: (s: OptionSpec) => boolean): string {
  const lines = problems.map((p) =>
    p.spec
      ? `${byFlag(p.spec) ? p.spec.flag : p.spec.env}${p.raw === undefined ? '' : `=${JSON.stringify(p.raw)}`}: ${p.reason}`
      : p.reason,
  )
  return lines.length === 1
    ? `invalid configuration: ${lines[0]}`
    : `invalid configuration:\n  ${lines.join('\n  ')}`
}

/**
 * Reads and validates the named options from the environment (an empty variable counts as
 * unset), then the checks across options; throws one ConfigError listing every problem.
 */
export function readOptions<K extends OptionName>(
  names: readonly K[],
  env: Record<string, string | undefined> = process.env,
): Pick<TestOptions, K> {
  const out: Record<string, unknown> = {}
  const problems: ConfigProblem[] = []
  for (const name of names) {
    const spec: OptionSpec = OPTIONS[name]
    const raw = env[spec.env] || spec.default
    if (raw === undefined) continue
    const parsed = spec.schema.safeParse(raw, { reportInput: true })
    if (parsed.success) out[name] = parsed.data
    else problems.push({ spec, raw, reason: describeIssue(parsed.error) })
  }
  if ((['nodes', 'provider', 'sshPrivateKey'] as const).every((n) => names.includes(n as K)))
    problems.push(...providerProblems(out as Partial<TestOptions>, env))
  if (names.includes('db' as K)) problems.push(...tikvOnlyProblems(out as Partial<TestOptions>, env))
  if (problems.length) throw new ConfigError(problems)
  return out as Pick<TestOptions, K>
}

/**
 * Where nodes come from, checked across options: the provider defaults to ssh for a host list
 * and local for a count (filled into `o`); ssh needs a host list and a private key, the others
 * a count.
 */
function providerProblems(o: Partial<TestOptions>, env: Record<string, string | undefined>): ConfigProblem[] {
  if (o.nodes === undefined) return [] // a bad JEPSEN_NODES is reported already
  const hostList = Array.isArray(o.nodes)
  o.provider ??= hostList ? 'ssh' : 'local'
  const nodes = { spec: OPTIONS.nodes, raw: env[OPTIONS.nodes.env] || OPTIONS.nodes.default }
  const ssh = 'JEPSEN_PROVIDER=ssh (--provider ssh)'
  const problems: ConfigProblem[] = []
  const impliedSsh = !env[OPTIONS.provider.env] && hostList
  if (o.provider === 'ssh' && !hostList)
    problems.push({ ...nodes, reason: `${ssh} needs a host list (e.g. n1,n2,n3), not a count` })
  if (impliedSsh && !o.sshPrivateKey)
    problems.push({
      ...nodes,
      reason: `a host list means the ssh provider, which needs ${OPTIONS.sshPrivateKey.env} (${OPTIONS.sshPrivateKey.flag}); for local nodes give a count (e.g. 5)`,
    })
  else if (o.provider === 'ssh' && !o.sshPrivateKey)
    problems.push({ spec: OPTIONS.sshPrivateKey, reason: `${ssh} needs the path of a private key` })
  if (o.provider !== 'ssh' && hostList)
    problems.push({
      ...nodes,
      reason: `a host list needs JEPSEN_PROVIDER=ssh (--provider ssh); provider "${o.provider}" takes a count`,
    })
  return problems
}

/** TiKV-only transaction options are refused on etcd, which has no such commit protocols. */
function tikvOnlyProblems(o: Partial<TestOptions>, env: Record<string, string | undefined>): ConfigProblem[] {
  if (o.db !== 'etcd') return []
  const asked = (['asyncCommit', 'onePc'] as const).filter((n) => o[n])
  return asked.map((n) => ({
    spec: OPTIONS[n],
    raw: env[OPTIONS[n].env],
    reason: `etcd has no ${n === 'asyncCommit' ? 'async commit' : 'one-phase commit'}: it commits each transaction in one etcd Txn; this is a TiKV option (JEPSEN_DB=tikv, --db tikv)`,
  }))
}

/** Reads and validates every option from the environment; throws one error listing every bad variable. */
export function optionsFromEnv(env: Record<string, string | undefined> = process.env): TestOptions {
  const out = readOptions(Object.keys(OPTIONS) as OptionName[], env)
  out.seed ??= Date.now() % 2 ** 31
  return out
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (issue.code === 'invalid_value')
    return `${JSON.stringify(issue.input)} is not allowed; allowed values: ${issue.values.map(String).join(', ')}`
  if (issue.code === 'invalid_type' && issue.expected === 'number') return 'must be a number'
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'must be a whole number'
  if (issue.code === 'too_small' && issue.origin === 'number') return `must be at least ${issue.minimum}`
  if (issue.code === 'too_big' && issue.origin === 'number') return `must be at most ${issue.maximum}`
  return issue.message
}
