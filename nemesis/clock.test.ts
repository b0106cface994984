// Clock faults against fake remotes: offsets written to the libfaketime file, strobe loops
// started and stopped, and heal resetting every node.
import { describe, expect, test } from 'vitest'
import { fakeContext } from '../lib/db/fake-remote.ts'
import { faketimeLoadedCommand, resetCommand } from '../lib/db/faketime.ts'
import { tikv } from '../lib/db/tikv.ts'
import { Rng } from '../lib/generator/random.ts'
import { ClockFaults, hasFaketime, offsetSpec } from './clock.ts'
import { planFaults } from './faults.ts'

const FILE = '/opt/tikv/faketime'
const PROCESS = { offsetFile: FILE, library: '/opt/tikv/lib/libfaketime.so.1', pidfile: '/opt/tikv/kv.pid' }

describe('clock faults', () => {
  test('offsets use libfaketime relative syntax in whole seconds', () => {
    expect([offsetSpec(12.4), offsetSpec(-7.6), offsetSpec(0)]).toEqual(['+12', '-8', '+0'])
  })
  test('only a DB exposing its faketime file can have its clock skewed', () => {
    expect(hasFaketime({ faketime: PROCESS })).toBe(true)
    expect(hasFaketime({ name: 'etcd' })).toBe(false)
  })
  test('TiKV with clock: true gets clock faults planned; without, they are refused saying why and how to enable them', () => {
    const on = tikv({ clock: true, libfaketime: '/lib/libfaketime.so.1' })
    expect(hasFaketime(on)).toBe(true)
    const target = { db: 'tikv', roles: on.roles, nodeCount: 3, schedulers: true, faketime: true } as const
    expect(planFaults(['clock-skew'], target).map((p) => p.name)).toEqual(['clock-skew'])
    const off = tikv()
    expect(hasFaketime(off)).toBe(false)
    expect(() => planFaults(['clock-strobe'], { ...target, faketime: false })).toThrow(
      /clock: true \(TIKV_CLOCK=1\).*jemalloc.*0\.9\.7/,
    )
  })
  test('skew writes one offset per chosen node; heal resets every node', async () => {
    const { ctx, remotes } = fakeContext(3)
    const clock = new ClockFaults({ faketime: PROCESS }, ctx, new Rng(5))
    const applied = await clock.start({ mode: 'skew', nodes: ['n1', 'n3'], maxOffset: 30 })
    expect(Object.keys(applied)).toEqual(['n1', 'n3'])
    for (const [n, off] of Object.entries(applied)) {
      expect(Math.abs(Number(off))).toBeLessThanOrEqual(30)
      expect(remotes.get(n)!.commands.slice(-2)).toEqual([
        `sh -c 'echo ${off} > ${FILE}'`,
        faketimeLoadedCommand(PROCESS),
      ])
    }
    expect(remotes.get('n2')!.commands.at(-1)).toBe(resetCommand(FILE))
    expect(clock.current()).toEqual(Object.entries(applied).map(([n, o]) => `clock ${o} on ${n}`))
    expect(await clock.heal()).toEqual(['n1', 'n3'])
    for (const r of remotes.values()) expect(r.commands.at(-1)).toBe(resetCommand(FILE))
    expect(clock.current()).toEqual([])
  })
  test('a skewed process without libfaketime loaded fails the fault, naming node and pid; heal still resets it', async () => {
    const { ctx, remotes } = fakeContext(3, (cmd, node) =>
      cmd === faketimeLoadedCommand(PROCESS) && node.name === 'n2'
        ? { code: 1, stderr: 'pid 42 (tikv-server) does not have /opt/tikv/lib/libfaketime.so.1 loaded\n' }
        : undefined,
    )
    const clock = new ClockFaults({ faketime: PROCESS }, ctx, new Rng(5))
    await expect(clock.start({ mode: 'skew', nodes: ['n2'], maxOffset: 30 })).rejects.toThrow(
      /^clock [+-]\d+ on n2 would not reach it: pid 42 \(tikv-server\) does not have \/opt\/tikv\/lib\/libfaketime\.so\.1 loaded$/,
    )
    expect(await clock.heal()).toEqual(['n2'])
    expect(remotes.get('n2')!.commands.at(-1)).toBe(resetCommand(FILE))
  })
})
