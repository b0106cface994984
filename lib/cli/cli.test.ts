// The CLI as a user runs it, in its own process: its exit codes (DESIGN §4) and its messages.
// It runs the sources through tsx (the package bin runs the same code compiled; scripts/
// package-smoke.sh runs that from an installed tarball).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { optionsFromEnv } from '../config/options.ts'
import { reference } from '../history/testing/reference.ts'
import { envFromFlags, nemesisEnv } from './test.ts'

const MAIN = join(import.meta.dirname, 'main.ts')
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' })
/** The CLI with only `env` for the JEPSEN_* variables (none inherited from this test run). */
const cliWith = (env: Record<string, string>, ...args: string[]) => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(JEPSEN|TIKV)_/.test(k)))
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...clean, ...env },
  })
}

describe('jepsen-tikv analyze', () => {
  const good = reference('porcupine/test_data/jepsen/etcd_002.log')
  const bad = reference('porcupine/test_data/jepsen/etcd_000.log')

  test('exit 0 when all valid, 1 when any invalid; --json gives one object per input', () => {
    expect(cli('analyze', good).status).toBe(0)
    const r = cli('analyze', '--json', good, bad)
    expect(r.status).toBe(1)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => [l.file, l.valid])).toEqual([
      [good, true],
      [bad, false],
    ])
  })

  test('exit 2 when a verdict is unknown (time limit)', () => {
    const r = cli('analyze', '--json', '--time-limit', '0.0001', good)
    expect(r.status).toBe(2)
    expect(JSON.parse(r.stdout).valid).toBe('unknown')
  })

  test('transactional checkers by name and model', () => {
    const h = join(mkdtempSync(join(tmpdir(), 'jt-cli-')), 'h.jsonl')
    writeFileSync(
      h,
      `${[
        { index: 0, time: 0, type: 'invoke', process: 0, f: 'txn', value: [['append', 'x', 1]] },
        { index: 1, time: 1, type: 'ok', process: 0, f: 'txn', value: [['append', 'x', 1]] },
        { index: 2, time: 2, type: 'invoke', process: 1, f: 'txn', value: [['r', 'x', null]] },
        { index: 3, time: 3, type: 'ok', process: 1, f: 'txn', value: [['r', 'x', [1]]] },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n')}\n`,
    )
    const r = cli('analyze', '--checker', 'list-append', '--model', 'serializable', h)
    expect(r.stdout).toContain('valid (list-append, serializable, 4 ops)')
    expect(r.status).toBe(0)
  })

  test('--timestamp-order orders transactions by their ts; refused for checkers without it', () => {
    const h = join(mkdtempSync(join(tmpdir(), 'jt-cli-')), 'ts.jsonl')
    // T1 commits at ts 110 before T2 starts at 120, yet T2 (concurrent in real time) misses it.
    writeFileSync(
      h,
      `${[
        { index: 0, time: 0, type: 'invoke', process: 0, f: 'txn', value: [['append', 'x', 1]] },
        { index: 1, time: 1, type: 'invoke', process: 1, f: 'txn', value: [['r', 'x', null]] },
        {
          index: 2,
          time: 2,
          type: 'ok',
          process: 0,
          f: 'txn',
          value: [['append', 'x', 1]],
          ts: { start: '100', commit: '110' },
        },
        {
          index: 3,
          time: 3,
          type: 'ok',
          process: 1,
          f: 'txn',
          value: [['r', 'x', []]],
          ts: { start: '120' },
        },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n')}\n`,
    )
    const args = ['analyze', '--checker', 'list-append', '--model', 'snapshot-isolation', h]
    expect(cli(...args).status).toBe(0)
    const r = cli(...args, '--timestamp-order')
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('INVALID (list-append, snapshot-isolation, timestamp order, 4 ops)')
    expect(r.stdout).toContain('T1 committed at ts 110 before T2 started at ts 120')
    const refused = cli('analyze', '--timestamp-order', good)
    expect(refused.status).toBe(3)
    expect(refused.stderr).toContain(
      '--timestamp-order does not apply to --checker linearizable (--timestamp-order is for --checker list-append, rw-register)',
    )
  })

  test('--checker monotonic re-checks counters in timestamp order', () => {
    const h = join(mkdtempSync(join(tmpdir(), 'jt-cli-')), 'monotonic.jsonl')
    const ops = [
      { type: 'invoke', process: 0, f: 'inc', value: [7] },
      { type: 'ok', process: 0, f: 'inc', value: { 7: 1 }, ts: { start: '100', commit: '110' } },
      { type: 'invoke', process: 1, f: 'read', value: null },
      { type: 'ok', process: 1, f: 'read', value: { 7: 0 }, ts: { start: '120' } },
    ]
    writeFileSync(h, `${ops.map((o, index) => JSON.stringify({ index, time: index, ...o })).join('\n')}\n`)
    const r = cli('analyze', '--checker', 'monotonic', h)
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('INVALID (monotonic, timestamp-order, 4 ops)')
    expect(r.stdout).toContain(
      'op 1 committed counter 7 = 1 at ts 110, before op 3 started at ts 120, yet op 3 read 7 = 0',
    )
  })

  test('exit 3 with a message naming the file and line, the checker or the model', () => {
    const h = join(mkdtempSync(join(tmpdir(), 'jt-cli-')), 'broken.jsonl')
    writeFileSync(h, '{"type":"invoke","process":0,"f":"read"}\n{"type":"okay","process":0,"f":"read"}\n')
    const r = cli('analyze', h)
    expect(r.status).toBe(3)
    expect(r.stderr).toContain(`${h}:2: op type must be one of invoke, ok, fail, info; got "okay"`)
    expect(cli('analyze', '--checker', 'knossos', good).stderr).toMatch(
      /Allowed choices are linearizable, list-append, rw-register/,
    )
    const m = cli('analyze', '--model', 'snapshot-isolation', good)
    expect(m.status).toBe(3)
    expect(m.stderr).toContain('allowed: register, cas-register, multi-register, kv')
  })
})

describe('jepsen-tikv analyze: checker parameters', () => {
  test('an orphan completion is an input error (exit 3) naming file and line', () => {
    const h = join(mkdtempSync(join(tmpdir(), 'jt-cli-')), 'orphan.jsonl')
    writeFileSync(
      h,
      '{"type":"ok","process":0,"f":"read","value":1}\n{"type":"invoke","process":1,"f":"read"}\n',
    )
    const r = cli('analyze', h)
    expect(r.status).toBe(3)
    expect(r.stderr).toContain(`${h}:1: orphan completion: ok read of process 0`)
  })

  test('--initial: the Knossos multi-register history is valid from {x 0, y 0}, not from empty registers', () => {
    const h = reference('knossos/data/multi-register/good/multi-register.edn')
    expect(cli('analyze', '--model', 'multi-register', h).status).toBe(1)
    const r = cli('analyze', '--model', 'multi-register', '--initial', '{"x":0,"y":0}', h)
    expect(r.stdout).toContain('valid (linearizable, multi-register, 250 ops)')
    expect(r.status).toBe(0)
  })

  test('--initial must be JSON of the model shape, and only for the linearizable checker', () => {
    const h = reference('knossos/data/multi-register/good/multi-register.edn')
    const notJson = cli('analyze', '--model', 'multi-register', '--initial', '{x:0}', h)
    expect(notJson.status).toBe(3)
    expect(notJson.stderr).toContain("option '--initial <json>' argument '{x:0}' is invalid. must be JSON")
    const wrongShape = cli('analyze', '--model', 'multi-register', '--initial', '0', h)
    expect(wrongShape.status).toBe(3)
    expect(wrongShape.stderr).toContain('--initial: multi-register starts from an object of registers')
    const elle = cli('analyze', '--checker', 'list-append', '--initial', '0', h)
    expect(elle.status).toBe(3)
    expect(elle.stderr).toContain(
      '--initial does not apply to --checker list-append (--initial is for --checker linearizable)',
    )
  })

  type Case = { id: string; history?: unknown[]; histories?: Record<string, unknown[]> }
  const cases = JSON.parse(readFileSync(reference('elle/cases.json'), 'utf8')) as Case[]
  /** An Elle case's history as a JSON Lines file (the cases leave out `f`). */
  const caseFile = (id: string, name?: string) => {
    const c = cases.find((x) => x.id === id)!
    const ops = (name ? c.histories![name] : c.history!) as object[]
    const h = join(mkdtempSync(join(tmpdir(), 'jt-cli-')), `${id}.jsonl`)
    writeFileSync(h, ops.map((op) => JSON.stringify({ ...op, f: 'txn' })).join('\n'))
    return h
  }
  const rw = (...args: string[]) => cli('analyze', '--checker', 'rw-register', '--json', ...args)

  test("--wfr-keys: Elle's writes-follow-reads case is G-single-item only under that assumption", () => {
    const h = caseFile('RW-04')
    expect(rw('--model', 'serializable', h).status).toBe(0)
    const r = rw('--model', 'serializable', '--wfr-keys', h)
    expect(r.status).toBe(1)
    const out = JSON.parse(r.stdout)
    expect(out.anomalyTypes).toEqual(['G-single-item'])
    expect(out.not).toEqual(['consistent-view', 'repeatable-read'])
    const bad = cli('analyze', '--wfr-keys', h)
    expect(bad.status).toBe(3)
    expect(bad.stderr).toContain('--wfr-keys does not apply to --checker linearizable')
  })

  test.each([
    ['--sequential-keys', 'seq'],
    ['--linearizable-keys', 'lin'],
  ])("%s: Elle's cyclic-versions case (RW-05, %s) is caught only under that assumption", (flag, name) => {
    const h = caseFile('RW-05', name)
    expect(JSON.parse(rw(h).stdout).anomalyTypes).not.toContain('cyclic-versions')
    const r = rw(flag, h)
    expect(r.status).toBe(1)
    expect(JSON.parse(r.stdout).anomalyTypes).toEqual(['cyclic-versions'])
  })
})

describe('jepsen-tikv test', () => {
  test('bad flags exit 3 before anything is provisioned, naming the flag and the allowed values', () => {
    const r = cli('test', '--db', 'mysql', '--time-limit', 'soon')
    expect(r.status).toBe(3)
    expect(r.stderr).toContain('--db="mysql": "mysql" is not allowed; allowed values: etcd, tikv')
    expect(r.stderr).toContain('--time-limit="soon": must be a number')
  })

  test('--workload all with several faults is the test-all matrix; otherwise faults go together', () => {
    expect(nemesisEnv('all', 'partition,kill')).toBe('partition;kill')
    expect(nemesisEnv('register', 'partition,kill')).toBe('partition,kill')
    expect(nemesisEnv('all', 'none;kill,pause')).toBe('none;kill,pause')
  })

  test('precedence is flag > variable > default: an unset flag leaves the variable be', () => {
    const base = { JEPSEN_TIME_LIMIT: '7', JEPSEN_RATE: '3', JEPSEN_WORKLOAD: 'all' }
    const { env, given } = envFromFlags({ rate: '5', leaveDbRunning: true, nemesis: 'kill,pause' }, base)
    expect(env).toMatchObject({ JEPSEN_TIME_LIMIT: '7', JEPSEN_RATE: '5', JEPSEN_LEAVE_DB_RUNNING: 'true' })
    // The matrix rule of --nemesis applies to the workload the variable gave.
    expect(env.JEPSEN_NEMESIS).toBe('kill;pause')
    expect([...given].sort()).toEqual(['JEPSEN_LEAVE_DB_RUNNING', 'JEPSEN_NEMESIS', 'JEPSEN_RATE'])
    // Without a flag or a variable the default applies when the options are read.
    expect(optionsFromEnv(envFromFlags({}, {}).env)).toMatchObject({ timeLimit: 30, rate: 10 })
    expect(optionsFromEnv(envFromFlags({}, base).env)).toMatchObject({ timeLimit: 7, rate: 3 })
  })

  test('the real command reads the variables, names each problem by what gave it, and lets a flag win', () => {
    const r = cliWith(
      { JEPSEN_TIME_LIMIT: 'soon', JEPSEN_RATE: '-1' },
      'test',
      '--db',
      'mysql',
      '--rate',
      '4',
    )
    expect(r.status).toBe(3)
    expect(r.stderr).toBe(
      'jepsen-tikv test: invalid configuration:\n  JEPSEN_TIME_LIMIT="soon": must be a number\n  --db="mysql": "mysql" is not allowed; allowed values: etcd, tikv\n',
    )
  })
})

describe('plain Vitest with a bad variable', () => {
  const VITEST = join(import.meta.dirname, '../../node_modules/vitest/vitest.mjs')
  test.each([
    ['JEPSEN_RATE', '-1', 'invalid configuration: JEPSEN_RATE="-1": must be at least 0'],
    ['JEPSEN_NODES', 'abc', 'invalid configuration: JEPSEN_NODES="abc": a host list means the ssh provider'],
  ])('%s=%s ends with the one line the CLI prints, exit 3, before provisioning', (name, value, line) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(JEPSEN|TIKV)_/.test(k)))
    const r = spawnSync(
      process.execPath,
      [VITEST, 'run', '--project', 'workloads', '--reporter', 'default', 'workloads/register.test.ts'],
      {
        cwd: join(import.meta.dirname, '../..'),
        encoding: 'utf8',
        env: { ...clean, [name]: value, CI: '1' },
      },
    )
    expect(r.status).toBe(3)
    const lines = `${r.stdout}${r.stderr}`.trim().split('\n')
    expect(lines.at(-1)).toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/Serialized Error|Zod|provision|local: \d+ nodes/)
    // The CLI says the same for the same variable.
    expect(cliWith({ [name]: value }, 'test').stderr).toContain(line)
  })
})
