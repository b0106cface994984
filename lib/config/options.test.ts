import { describe, expect, test } from 'vitest'
import { ConfigError, OPTIONS, optionsFromEnv } from './options.ts'

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

  test('a host list implies the ssh provider; cross-option problems are named by flag for the CLI', () => {
    const o = optionsFromEnv({ JEPSEN_NODES: 'a,b', JEPSEN_SSH_PRIVATE_KEY: '/k' })
    expect(o).toMatchObject({ provider: 'ssh', nodes: ['a', 'b'], sshUser: 'root' })
    expect(optionsFromEnv({}).provider).toBe('local')
    let err: unknown
    try {
      optionsFromEnv({ JEPSEN_NODES: 'a,b' })
    } catch (e) {
      err = e
    }
    expect((err as ConfigError).forFlags()).toContain(
      '--ssh-private-key: JEPSEN_PROVIDER=ssh (--provider ssh) needs',
    )
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
