// The nemesis against a recording fake DB and fake remotes: what each op does and records,
// failures recorded as errors (and the abort hook), healAll undoing everything exactly once.
import { describe, expect, test } from 'vitest'
import type { Db, DbContext, DbRole } from '../lib/db/db.ts'
import { fakeContext } from '../lib/db/fake-remote.ts'
import { Rng } from '../lib/generator/random.ts'
import { FaultNemesis } from './nemesis.ts'
import { op } from './testing/op.ts'

class FakeDb implements Db {
  readonly name = 'etcd' as const
  readonly roles: readonly DbRole[] = ['etcd']
  readonly calls: string[] = []
  failStartOn?: string
  async setup() {
    return { restarts: {} }
  }
  async teardown() {}
  async kill(_c: DbContext, node: string, role: DbRole) {
    this.calls.push(`kill ${node} ${role}`)
  }
  async start(_c: DbContext, node: string, role: DbRole) {
    if (node === this.failStartOn) throw new Error(`start refused on ${node}`)
    this.calls.push(`start ${node} ${role}`)
  }
  async pause(_c: DbContext, node: string, role: DbRole) {
    this.calls.push(`pause ${node} ${role}`)
  }
  async resume(_c: DbContext, node: string, role: DbRole) {
    this.calls.push(`resume ${node} ${role}`)
  }
  logFiles() {
    return []
  }
  async leader() {
    return 'n3'
  }
  endpoints() {
    return { endpoints: [] }
  }
}

function setup(healTimeoutMs = 0) {
  const db = new FakeDb()
  const { ctx, remotes } = fakeContext(5)
  const aborts: Error[] = []
  const logs: string[] = []
  const nemesis = new FaultNemesis({
    db,
    ctx,
    rng: new Rng(3),
    abort: (e) => aborts.push(e),
    healTimeoutMs,
    log: (m) => logs.push(m),
  })
  return { db, ctx, remotes, nemesis, aborts, logs }
}

describe('FaultNemesis', () => {
  test('partition-leader isolates the leader and records the grudge', async () => {
    const { nemesis, remotes } = setup()
    const done = await nemesis.invoke(op('start-partition', 'leader'))
    expect(done.value).toEqual({
      n1: ['n3'],
      n2: ['n3'],
      n3: ['n1', 'n2', 'n4', 'n5'],
      n4: ['n3'],
      n5: ['n3'],
    })
    expect(remotes.get('n3')!.commands.at(-1)).toContain(
      '-s 10.0.0.5 -m comment --comment jepsen-run1 -j DROP',
    )
    expect(nemesis.faults()).toBe(
      'partition (n1 drops n3; n2 drops n3; n3 drops n1,n2,n4,n5; n4 drops n3; n5 drops n3)',
    )
    expect((await nemesis.invoke(op('stop-partition'))).value).toEqual(done.value)
    expect(nemesis.faults()).toBe('')
  })

  test('kill hits the chosen nodes only; start without nodes restarts exactly those', async () => {
    const { nemesis, db } = setup()
    const killed = await nemesis.invoke(op('kill', { role: 'etcd', nodes: ['n2', 'n4'] }))
    expect(killed.value).toEqual({ role: 'etcd', nodes: ['n2', 'n4'] })
    const started = await nemesis.invoke(op('start', { role: 'etcd' }))
    expect(started.value).toEqual({ role: 'etcd', nodes: ['n2', 'n4'] })
    expect(db.calls).toEqual(['kill n2 etcd', 'kill n4 etcd', 'start n2 etcd', 'start n4 etcd'])
  })

  test('random kill picks a non-empty subset, recorded in the completion', async () => {
    const { nemesis } = setup()
    const { value } = await nemesis.invoke(op('kill', { role: 'etcd', nodes: 'random' }))
    const nodes = (value as { nodes: string[] }).nodes
    expect(nodes.length).toBeGreaterThan(0)
    expect(nemesis.faults()).toBe(nodes.map((n) => `killed etcd on ${n}`).join(', '))
  })

  test('a failing op is recorded with its error, calls the abort hook, and the nemesis goes on', async () => {
    const { nemesis, aborts } = setup()
    const done = await nemesis.invoke(op('kill', { nodes: ['n1'] }))
    expect(done.error).toMatch(/needs a value \{role, nodes\?\}/)
    expect(aborts.map((e) => e.message)).toEqual([expect.stringMatching(/^nemesis op kill failed/)])
    const unknown = await nemesis.invoke(op('start-shuffle-leader'))
    expect(unknown.error).toMatch(/not supported on this target \(etcd\)/)
  })

  test('PD scheduler faults go through the DB own pdApi(ctx) when it has one (TiKV)', async () => {
    const calls: string[] = []
    const db = Object.assign(new FakeDb(), {
      pdApi: () => ({
        addScheduler: async (name: string) => void calls.push(`add ${name}`),
        removeScheduler: async (name: string) => void calls.push(`remove ${name}`),
      }),
    })
    const nemesis = new FaultNemesis({ db, ctx: fakeContext(3).ctx, rng: new Rng(3) })
    expect((await nemesis.invoke(op('start-shuffle-leader'))).error).toBeUndefined()
    expect(await nemesis.healAll()).toEqual([])
    expect(calls).toEqual(['add shuffle-leader-scheduler', 'remove shuffle-leader-scheduler'])
  })

  test('healAll resumes, restarts and heals partitions; idempotent and shared when concurrent', async () => {
    const { nemesis, db, remotes } = setup()
    await nemesis.invoke(op('pause', { role: 'etcd', nodes: ['n1'] }))
    await nemesis.invoke(op('kill', { role: 'etcd', nodes: ['n5'] }))
    await nemesis.invoke(op('start-partition', 'one'))
    db.calls.length = 0
    const [a, b] = [nemesis.healAll(), nemesis.healAll()]
    expect(a).toBe(b)
    expect(await a).toEqual([])
    expect(db.calls).toEqual(['resume n1 etcd', 'start n5 etcd'])
    for (const r of remotes.values()) expect(r.commands.at(-2)).toContain('iptables -w -S JEPSEN')
    expect(nemesis.faults()).toBe('')
    db.calls.length = 0
    expect(await nemesis.healAll()).toEqual([])
    expect(db.calls).toEqual([])
  })

  test('a heal that fails is reported, the other parts still heal, and the next heal retries it', async () => {
    const { nemesis, db } = setup()
    await nemesis.invoke(op('kill', { role: 'etcd', nodes: ['n1', 'n2'] }))
    db.failStartOn = 'n2'
    const problems = await nemesis.healAll()
    expect(problems).toEqual([expect.stringMatching(/heal processes: .*start refused on n2/)])
    await expect(nemesis.teardown()).rejects.toThrow(/could not heal everything/)
    db.failStartOn = undefined
    expect(await nemesis.healAll()).toEqual([])
    expect(db.calls.filter((c) => c.startsWith('start'))).toEqual(['start n1 etcd', 'start n2 etcd'])
  })

  test('heals are retried with backoff until they succeed, each failed attempt logged', async () => {
    const { nemesis, db, logs } = setup(10_000)
    await nemesis.invoke(op('kill', { role: 'etcd', nodes: ['n1', 'n2'] }))
    db.failStartOn = 'n2'
    setTimeout(() => {
      db.failStartOn = undefined // n2's node is reachable again after about a second
    }, 1_000)
    expect(await nemesis.healAll()).toEqual([])
    expect(db.calls.filter((c) => c.startsWith('start'))).toEqual(['start n1 etcd', 'start n2 etcd'])
    expect(logs.length).toBeGreaterThanOrEqual(1)
    expect(logs[0]).toMatch(
      /^heal processes: attempt 1 failed \(.*start refused on n2.*\); retrying in 500 ms$/,
    )
  })

  test('a heal op (start, stop-*, resume) is retried too; a heal that never succeeds names the node', async () => {
    const { nemesis, db, logs } = setup(1_600)
    await nemesis.invoke(op('kill', { role: 'etcd', nodes: ['n4'] }))
    db.failStartOn = 'n4'
    const done = await nemesis.invoke(op('start', { role: 'etcd' }))
    expect(done.error).toMatch(
      /start etcd failed on 1 of 1 node\(s\): n4: start refused on n4 \(still failing after \d attempts\)/,
    )
    expect(logs.filter((l) => l.startsWith('start: attempt')).length).toBeGreaterThanOrEqual(2)
    const problems = await nemesis.healAll()
    expect(problems).toEqual([expect.stringMatching(/^heal processes: .*n4: start refused on n4/)])
  })
})
