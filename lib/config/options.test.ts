import { describe, expect, test } from 'vitest'
import { ConfigError, OPTIONS, optionsFromEnv } from './options.ts'

function configError(env: Record<string, string>): ConfigError {
  try {
    optionsFromEnv(env)
  } catch (e) {
    if (e instanceof ConfigError) return e
    throw e
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`)
}

describe('optionsFromEnv', () => {
  test('defaults follow the seed suite (rate 10, 100 ops per key, concurrency 10)', () => {
    const o = optionsFromEnv({ JEPSEN_SEED: '7' })
    expect(o).toMatchObject({
      workload: ['register'],
      nemesis: [[]],
      concurrency: 10,
      rate: 10,
      opsPerKey: 100,
      db: 'etcd',
      seed: 7,
    })
  })

  test('shorthands expand and "all" workloads list every workload', () => {
    const o = optionsFromEnv({ JEPSEN_NEMESIS: 'partition,kill', JEPSEN_WORKLOAD: 'all' })
    expect(o.nemesis).toEqual([
      ['partition-one', 'partition-half', 'partition-ring', 'partition-bridge', 'partition-leader', 'kill'],
    ])
    expect(o.workload).toContain('bank')
    expect(optionsFromEnv({ JEPSEN_NEMESIS: 'none' }).nemesis).toEqual([[]])
    expect(optionsFromEnv({ JEPSEN_NEMESIS: 'none;kill,pause' }).nemesis).toEqual([[], ['kill', 'pause']])
  })

  test('every bad variable is named with its value and the allowed values', () => {
    let err: unknown
    try {
      optionsFromEnv({
        JEPSEN_DB: 'mysql',
        JEPSEN_NEMESIS: 'partition,boom',
        JEPSEN_TIME_LIMIT: 'soon',
        JEPSEN_LEAVE_DB_RUNNING: 'maybe',
      })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const msg = (err as Error).message
    expect(msg).toContain('JEPSEN_DB="mysql": "mysql" is not allowed; allowed values: etcd, tikv')
    expect(msg).toContain('"boom" is not allowed')
    expect(msg).toContain('JEPSEN_TIME_LIMIT="soon": must be a number')
    expect(msg).toContain('JEPSEN_LEAVE_DB_RUNNING')
  })

  test('the ssh provider needs a key', () => {
    expect(() => optionsFromEnv({ JEPSEN_PROVIDER: 'ssh', JEPSEN_NODES: 'a,b,c' })).toThrow(
      /JEPSEN_SSH_PRIVATE_KEY/,
    )
  })

  test('a host list implies the ssh provider; without a key the host list is what is named', () => {
    const o = optionsFromEnv({ JEPSEN_NODES: 'a,b', JEPSEN_SSH_PRIVATE_KEY: '/k' })
    expect(o).toMatchObject({ provider: 'ssh', nodes: ['a', 'b'], sshUser: 'root' })
    expect(optionsFromEnv({}).provider).toBe('local')
    const err = configError({ JEPSEN_NODES: 'abc' })
    expect(err.message).toBe(
      'invalid configuration: JEPSEN_NODES="abc": a host list means the ssh provider, which needs JEPSEN_SSH_PRIVATE_KEY (--ssh-private-key); for local nodes give a count (e.g. 5)',
    )
    expect(err.forFlags()).toMatch(
      /^invalid configuration: --nodes="abc": a host list means the ssh provider/,
    )
  })

  test('numbers out of range say the bound; one problem is one line', () => {
    expect(configError({ JEPSEN_RATE: '-1' }).message).toBe(
      'invalid configuration: JEPSEN_RATE="-1": must be at least 0',
    )
    expect(configError({ JEPSEN_CONCURRENCY: '2.5' }).message).toContain(
      'JEPSEN_CONCURRENCY="2.5": must be a whole number',
    )
    expect(configError({ JEPSEN_CONCURRENCY: '20000' }).message).toContain('must be at most 10000')
  })

  test('each problem is named by the flag that gave it, else by its variable', () => {
    const err = configError({ JEPSEN_RATE: '-1', JEPSEN_DB: 'mysql' })
    expect(err.forFlags(new Set(['JEPSEN_DB']))).toBe(
      'invalid configuration:\n  JEPSEN_RATE="-1": must be at least 0\n  --db="mysql": "mysql" is not allowed; allowed values: etcd, tikv',
    )
  })

  test('a ConfigError is only its message: no stack trace, nothing a test runner would dump', () => {
    const err = configError({ JEPSEN_NODES: 'abc' })
    expect(err.stack).toBe(err.message)
    expect(Object.keys(err)).toEqual([])
    expect(Object.getOwnPropertyNames(err).sort()).toEqual(['message', 'stack'])
    expect(err.problems).toHaveLength(1)
  })

  test('async commit and 1PC are TiKV options: refused on etcd with the reason, combinable on tikv', () => {
    let err: unknown
    try {
      optionsFromEnv({ JEPSEN_ASYNC_COMMIT: '1', JEPSEN_ONE_PC: 'true' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toContain(
      'JEPSEN_ASYNC_COMMIT="1": etcd has no async commit: it commits each transaction in one etcd Txn; this is a TiKV option (JEPSEN_DB=tikv, --db tikv)',
    )
    expect((err as ConfigError).forFlags()).toContain('--one-pc="true": etcd has no one-phase commit')
    const o = optionsFromEnv({
      JEPSEN_DB: 'tikv',
      JEPSEN_ASYNC_COMMIT: '1',
      JEPSEN_ONE_PC: 'yes',
      JEPSEN_TXN_MODE: 'pessimistic',
    })
    expect(o).toMatchObject({ asyncCommit: true, onePc: true, txnMode: 'pessimistic', timestampOrder: false })
    expect(optionsFromEnv({})).toMatchObject({ asyncCommit: false, onePc: false })
    // Timestamp order needs only timestamps, which etcd has (revisions).
    expect(optionsFromEnv({ JEPSEN_TIMESTAMP_ORDER: 'true' }).timestampOrder).toBe(true)
    expect(() => optionsFromEnv({ JEPSEN_DB: 'tikv', JEPSEN_ONE_PC: 'sometimes' })).toThrow(
      /JEPSEN_ONE_PC="sometimes": "sometimes" is not allowed; allowed values: 0, 1, true, false, yes, no/,
    )
  })

  test('every option has a distinct env variable and flag', () => {
    const specs = Object.values(OPTIONS)
    expect(new Set(specs.map((s) => s.env)).size).toBe(specs.length)
    expect(new Set(specs.map((s) => s.flag)).size).toBe(specs.length)
  })
})
