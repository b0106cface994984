// The nemesis on a real 5-node etcd cluster (globalSetup's, via inject('cluster'); CI runs it on
// the local and on the lxc provider):
// partition-one cuts exactly one node off while the majority keeps serving and the node rejoins
// after the heal; kill and pause hit only the chosen nodes; and a run that dies mid-fault
// (SIGKILL: no chance to heal; SIGINT: heals itself) leaves nothing once healCluster has run.
import { execFile, spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import type { Remote } from '../lib/control/remote.ts'
import type { DbContext } from '../lib/db/db.ts'
import { clientUrl, ETCD_PATHS, etcd } from '../lib/db/etcd.ts'
import { Rng } from '../lib/generator/random.ts'
import { nemesis as onNemesis, phases } from '../lib/generator/threads.ts'
import { timeLimit } from '../lib/generator/timing.ts'
import { faultPeriods } from '../lib/history/fault-periods.ts'
import { runTest } from '../lib/runner/run.ts'
import type { Grudge } from './grudge.ts'
import { healCluster } from './heal-cluster.ts'
import { nemesisPackage } from './index.ts'
import { FaultNemesis } from './nemesis.ts'
import { connect, disconnect } from './testing/connect.ts'
import { op } from './testing/op.ts'

const info = inject('cluster')
const run = promisify(execFile)
const ipOf = (name: string) => info.nodes.find((n) => n.name === name)?.ip as string

/** etcdctl on the control host against one node; resolves with exit code and output. */
async function etcdctl(node: string, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run(
      'etcdctl',
      [`--endpoints=${clientUrl(ipOf(node))}`, '--command-timeout=3s', ...args],
      {
        timeout: 10_000,
      },
    )
    return { ok: true, out: stdout.trim() }
  } catch (e) {
    return { ok: false, out: (e as { stderr?: string }).stderr ?? String(e) }
  }
}

/** Retries `probe` until it returns true (up to `seconds`); resolves with the last answer. */
async function eventually(seconds: number, probe: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + seconds * 1000
  for (;;) {
    if (await probe()) return true
    if (Date.now() > end) return false
    await sleep(250)
  }
}

const remote = (ctx: DbContext, n: string) => ctx.remotes.get(n) as Remote
const canReach = async (ctx: DbContext, from: string, to: string) =>
  (await remote(ctx, from).exec(`timeout 2 bash -c '</dev/tcp/${ipOf(to)}/2380'`, { check: false })).code ===
  0
/** iptables rules tagged by this project on a node. */
const taggedRules = async (r: Remote) =>
  (await r.exec('iptables -w -S 2>/dev/null', { check: false })).stdout
    .split('\n')
    .filter((l) => l.includes('jepsen-'))
/** State letters of the etcd process by pidfile ("" when it is not running). */
const etcdState = async (r: Remote) =>
  (
    await r.exec(`p=$(cat ${ETCD_PATHS.pidfile} 2>/dev/null) && ps -o stat= -p "$p"`, { check: false })
  ).stdout.trim()
const stoppedProcesses = async (r: Remote) =>
  (await r.exec('ps -eo stat=,args=', { check: false })).stdout.split('\n').filter((l) => /^\s*T/.test(l))

describe('nemesis on a real etcd cluster', () => {
  let ctx: DbContext
  let nemesis: FaultNemesis
  beforeAll(async () => {
    expect(info.db).toBe('etcd')
    ctx = await connect(info, info.runId)
    nemesis = new FaultNemesis({ db: etcd(), ctx, rng: new Rng(42) })
  })
  afterAll(async () => {
    if (nemesis) expect(await nemesis.healAll()).toEqual([])
    if (ctx) await disconnect(ctx)
  })

  test('partition-one: the isolated node reaches nobody, the majority serves; after the heal it rejoins', async () => {
    const { value, error } = await nemesis.invoke(op('start-partition', 'one'))
    expect(error).toBeUndefined()
    const grudge = value as Grudge
    const [isolated] = Object.keys(grudge).filter((n) => grudge[n].length === 4)
    const others = info.nodes.map((n) => n.name).filter((n) => n !== isolated)
    for (const o of others) {
      expect(await canReach(ctx, isolated, o), `${isolated} -> ${o}`).toBe(false)
      expect(await canReach(ctx, o, isolated), `${o} -> ${isolated}`).toBe(false)
    }
    expect(await canReach(ctx, others[0], others[1])).toBe(true)
    // The majority serves (a new leader may need an election if the isolated node led).
    const key = `nemesis-${Date.now()}`
    expect(await eventually(20, async () => (await etcdctl(others[0], 'put', key, 'majority')).ok)).toBe(true)
    // The isolated member cannot serve a linearizable read.
    expect((await etcdctl(isolated, 'get', key)).ok).toBe(false)

    const healed = await nemesis.invoke(op('stop-partition'))
    expect(healed).toEqual({ value: grudge })
    for (const n of info.nodes) expect(await taggedRules(remote(ctx, n.name))).toEqual([])
    expect(await canReach(ctx, isolated, others[0])).toBe(true)
    expect(
      await eventually(
        30,
        async () => (await etcdctl(isolated, 'get', key, '--print-value-only')).out === 'majority',
      ),
    ).toBe(true)
  })

  test('kill and pause hit only the chosen nodes; start and resume bring them back', async () => {
    const states = () => Promise.all(info.nodes.map((n) => etcdState(remote(ctx, n.name))))
    expect((await nemesis.invoke(op('kill', { role: 'etcd', nodes: ['n2'] }))).value).toEqual({
      role: 'etcd',
      nodes: ['n2'],
    })
    const afterKill = await states()
    expect(afterKill.map((s) => s !== '')).toEqual([true, false, true, true, true])
    expect((await nemesis.invoke(op('start', { role: 'etcd' }))).value).toEqual({
      role: 'etcd',
      nodes: ['n2'],
    })
    expect((await states()).every((s) => s !== '' && !s.startsWith('T'))).toBe(true)

    await nemesis.invoke(op('pause', { role: 'etcd', nodes: ['n3', 'n4'] }))
    expect((await states()).map((s) => s.startsWith('T'))).toEqual([false, false, true, true, false])
    expect(nemesis.faults()).toBe('paused etcd on n3, paused etcd on n4')
    expect((await nemesis.invoke(op('resume', { role: 'etcd' }))).value).toEqual({
      role: 'etcd',
      nodes: ['n3', 'n4'],
    })
    expect((await states()).some((s) => s.startsWith('T'))).toBe(false)
    expect(await eventually(30, async () => (await etcdctl('n2', 'endpoint', 'health')).ok)).toBe(true)
  })

  /** Starts the fault child, waits until it has partitioned and paused, and returns it. */
  async function faultedChild(runId: string, ...args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'nemesis/testing/fault-child.ts', ...args], {
      env: { ...process.env, JEPSEN_TEST_CLUSTER: JSON.stringify(info), JEPSEN_TEST_RUN_ID: runId },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.stderr.on('data', (d) => {
      out += d
    })
    const faulted = await eventually(60, async () => out.includes('faulted') || child.exitCode !== null)
    expect(out, 'fault child output').toContain('faulted')
    expect(faulted).toBe(true)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    return { child, exited, output: () => out }
  }

  test('a run killed mid-partition leaves rules and a stopped etcd; healCluster removes them (and only them)', async () => {
    const dead = `${info.runId}-dead`
    const { child, exited } = await faultedChild(dead)
    // SIGKILL: it gets no chance to heal.
    child.kill('SIGKILL')
    await exited
    const all = info.nodes.map((n) => remote(ctx, n.name))
    expect((await Promise.all(all.map(taggedRules))).flat().length).toBeGreaterThan(0)
    expect(await etcdState(remote(ctx, 'n2'))).toMatch(/^T/)
    // A live run's rule (against a TEST-NET address) must survive the cleanup.
    await remote(ctx, 'n1').exec(
      `iptables -w -N JEPSEN 2>/dev/null; iptables -w -A JEPSEN -s 192.0.2.1 -m comment --comment jepsen-${info.runId} -j DROP`,
    )

    const reports = await healCluster(info, { liveRunIds: [info.runId], remotes: all })
    expect(reports.filter((r) => r.error)).toEqual([])
    expect(reports.reduce((a, r) => a + r.rulesRemoved, 0)).toBeGreaterThan(0)
    expect(reports.find((r) => r.node === 'n2')?.resumed.length).toBe(1)
    const left = (await Promise.all(all.map(taggedRules))).flat()
    expect(left).toEqual([`-A JEPSEN -s 192.0.2.1/32 -m comment --comment jepsen-${info.runId} -j DROP`])
    for (const r of all) expect(await stoppedProcesses(r)).toEqual([])

    await healCluster(info, { remotes: all })
    expect((await Promise.all(all.map(taggedRules))).flat()).toEqual([])
    expect(await eventually(30, async () => (await etcdctl('n2', 'endpoint', 'health')).ok)).toBe(true)
  })

  test('a run interrupted with SIGINT mid-partition heals itself before exiting', async () => {
    const { child, exited, output } = await faultedChild(`${info.runId}-sigint`, '--heal-on-signal')
    child.kill('SIGINT')
    await exited
    expect(output()).toContain('SIGINT: healing nemesis faults')
    const all = info.nodes.map((n) => remote(ctx, n.name))
    expect((await Promise.all(all.map(taggedRules))).flat()).toEqual([])
    for (const r of all) expect(await stoppedProcesses(r)).toEqual([])
  })

  test('through the runner: a fixed schedule of partitions, kills and pauses, then the final heal', async () => {
    const pkg = nemesisPackage(
      {
        faults: ['partition-half', 'partition-ring', 'kill', 'pause'],
        nemesisInterval: 0.5,
        nemesisSchedule: 'fixed',
        nemesisLongRecovery: false,
        finalRecoveryTime: 1,
      },
      { db: etcd(), ctx, rng: new Rng(7) },
    )
    const result = await runTest({
      generator: onNemesis(phases(timeLimit(6, pkg.generator), pkg.final)),
      clientFactory: () => ({ open() {}, invoke: () => ({ type: 'ok' }), close() {} }),
      nemesis: pkg.nemesis,
      concurrency: 1,
      seed: 7,
    })
    expect(result.errors).toEqual([])
    const ops = result.history.filter((o) => o.process === 'nemesis')
    expect(ops.filter((o) => o.error)).toEqual([])
    const { periods } = faultPeriods(result.history)
    expect(periods.length).toBeGreaterThan(2)
    for (const p of periods) expect(p.closed, `${p.fault} opened at op ${p.startIndex}`).toBe(true)
    // Completions record what was applied: partitions their grudge, kills and pauses their nodes.
    const applied = ops.filter((o, i) => i % 2 === 1 && ['start-partition', 'kill', 'pause'].includes(o.f))
    expect(applied.length).toBeGreaterThan(0)
    for (const o of applied) {
      if (o.f === 'start-partition')
        expect(Object.keys(o.value as Grudge).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
      else expect((o.value as { nodes: string[] }).nodes.length).toBeGreaterThan(0)
    }
    const all = info.nodes.map((n) => remote(ctx, n.name))
    expect((await Promise.all(all.map(taggedRules))).flat()).toEqual([])
    for (const r of all) expect(await stoppedProcesses(r)).toEqual([])
    expect(
      await eventually(30, async () => (await etcdctl('n1', 'endpoint', 'health', '--cluster')).ok),
    ).toBe(true)
  })
})
