// The local namespace provider on real namespaces (needs root): nodes come up with sshd and
// checked host keys, iptables stays inside each node, and stop() / the next setup / teardown()
// leave no namespace, interface, process, mount or directory of the run behind.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type DaemonSpec, isAlive, signalCommand, startCommand } from '../control/daemon.ts'
import { HostKeyError, SshRemote } from '../control/ssh.ts'
import type { Db, DbContext } from '../db/db.ts'
import { cleanupDeadRuns, teardown } from './cleanup.ts'
import type { StartedCluster } from './cluster.ts'
import { LocalCluster } from './clusters.ts'
import { run } from './host.ts'
import { DEFAULT_STATE_DIR } from './registry.ts'
import { crashedRun } from './testing/crashed-run.ts'
import { EMPTY, footprint, processesOf } from './testing/footprint.ts'

const isRoot = process.getuid?.() === 0

/** A stand-in DB: one `sleep` daemon per node, started and stopped by pidfile. */
const SLEEP: DaemonSpec = {
  exec: '/bin/sleep',
  args: ['1000'],
  pidfile: '/opt/sleepdb/sleep.pid',
  chdir: '/opt/sleepdb',
  stdout: '/opt/sleepdb/log',
}
const sleepDb = {
  name: 'etcd',
  roles: ['etcd'],
  async setup(ctx: DbContext) {
    for (const r of ctx.remotes.values()) {
      await r.exec(`mkdir -p /opt/sleepdb && ${startCommand(SLEEP)}`, { sudo: true })
    }
    return { restarts: {} }
  },
  async teardown(ctx: DbContext) {
    for (const r of ctx.remotes.values()) await r.exec(signalCommand(SLEEP, 'KILL'), { sudo: true })
  },
  logFiles: () => ['/opt/sleepdb/log'],
  endpoints: (_ctx: DbContext, node: string) => ({ endpoints: [node] }),
} as unknown as Db

describe.runIf(isRoot)('local provider', () => {
  let cluster: StartedCluster
  beforeAll(async () => {
    cluster = await new LocalCluster({ nodes: 5 }).withDb(sleepDb).start()
  })
  afterAll(async () => {
    await cluster?.stop()
  })

  test('five nodes, each its own hostname, address and private /root, with the DB daemon running', async () => {
    expect(cluster.info.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
    for (const node of cluster.info.nodes) {
      const r = cluster.remotes.get(node.name) as SshRemote
      const { stdout } = await r.exec('hostname; hostname -I; ls /root/.ssh')
      expect(stdout.split(/\s+/).slice(0, 3)).toEqual([node.name, node.ip, 'authorized_keys'])
      expect(await isAlive(r, SLEEP)).toBe(true)
    }
    // Private /opt: a file written on n1 is not on n2.
    await cluster.remotes.get('n1')?.writeFile('/opt/only-n1', 'x')
    expect((await cluster.remotes.get('n2')?.exec('test -e /opt/only-n1', { check: false }))?.code).toBe(1)
    // CAP_SYS_TIME is dropped: a clock nemesis cannot move the host clock.
    const date = await cluster.remotes.get('n1')?.exec('date -s @0', { check: false })
    expect(date?.stderr).toMatch(/Operation not permitted/)
  })

  test('exec reports exit codes and output of many short concurrent commands', async () => {
    const results = await Promise.all(
      [...cluster.remotes.values()].flatMap((r) =>
        Array.from({ length: 8 }, (_, i) => r.exec(`echo ${i}; echo e >&2; exit 3`, { check: false })),
      ),
    )
    expect(results.map((r) => r.code)).toEqual(Array(40).fill(3))
    expect(results.every((r, i) => r.stdout === `${i % 8}\n` && r.stderr === 'e\n')).toBe(true)
    await expect(cluster.remotes.get('n1')?.exec('exit 7')).rejects.toThrow(/on n1: `exit 7` exited 7/)
    await expect(cluster.remotes.get('n1')?.exec('sleep 5', { timeoutMs: 200 })).rejects.toThrow(
      /did not finish within 200 ms/,
    )
  })

  test('ssh refuses a node whose host key is not the recorded one', async () => {
    const [n1, n2] = cluster.info.nodes
    const wrong = join(await mkdtemp(join(tmpdir(), 'kh-')), 'known_hosts')
    const n2Line = (await run('cat', [n2.ssh.knownHostsPath as string])).stdout
      .split('\n')
      .find((l) => l.startsWith(`${n2.ip} `)) as string
    await writeFile(wrong, `${n2Line.replace(n2.ip, n1.ip)}\n`)
    await expect(SshRemote.connect({ ...n1, ssh: { ...n1.ssh, knownHostsPath: wrong } })).rejects.toThrow(
      HostKeyError,
    )
  })

  test('iptables in one node changes neither the host nor the other nodes', async () => {
    const [n1, n2, n3] = ['n1', 'n2', 'n3'].map((n) => cluster.remotes.get(n) as SshRemote)
    const hostBefore = (await run('iptables', ['-S'])).stdout
    const n3Before = (await n3.exec('iptables -S')).stdout
    const reach = (from: SshRemote, to: SshRemote) =>
      from.exec(`timeout 2 bash -c '</dev/tcp/${to.node.ip}/22'`, { check: false }).then((r) => r.code === 0)
    expect(await reach(n2, n1)).toBe(true)
    await n1.exec(`iptables -A INPUT -s ${n2.node.ip} -j DROP`)
    expect((await n1.exec('iptables -S INPUT')).stdout).toContain(`-A INPUT -s ${n2.node.ip}/32 -j DROP`)
    expect((await run('iptables', ['-S'])).stdout).toBe(hostBefore)
    expect((await n3.exec('iptables -S')).stdout).toBe(n3Before)
    expect(await reach(n2, n1)).toBe(false)
    expect(await reach(n3, n1)).toBe(true)
    await n1.exec('iptables -F INPUT')
    expect(await reach(n2, n1)).toBe(true)
  })

  test('stop() leaves no namespace, interface, process, mount or directory of the run', async () => {
    const other = await new LocalCluster({ nodes: 2 }).withDb(sleepDb).start()
    const record = other.registration.record
    const pids = await processesOf(record)
    const before = await footprint(DEFAULT_STATE_DIR, record, pids)
    expect(before.netns).toHaveLength(2)
    expect(before.links.length).toBeGreaterThanOrEqual(3) // bridge + 2 veths
    expect(pids.length).toBeGreaterThanOrEqual(6) // per node: unshare, init, sshd, sleep daemon...
    expect(before.mounts.length).toBeGreaterThan(0)
    // It also got its own subnet, beside the first cluster.
    expect(other.info.nodes[0].ip.split('.').slice(0, 3)).not.toEqual(
      cluster.info.nodes[0].ip.split('.').slice(0, 3),
    )
    await other.stop()
    expect(await footprint(DEFAULT_STATE_DIR, record, pids)).toEqual(EMPTY)
  })
})

describe.runIf(isRoot)('crash-safe cleanup', () => {
  test('the next setup removes what a SIGKILLed run left', async () => {
    const record = await crashedRun(DEFAULT_STATE_DIR)
    const pids = await processesOf(record)
    const left = await footprint(DEFAULT_STATE_DIR, record, pids)
    expect(left.netns).toHaveLength(2) // the nodes outlive their owner
    expect(left.processes.length).toBeGreaterThan(0)
    const report = await cleanupDeadRuns(DEFAULT_STATE_DIR)
    expect(report.removedRuns).toContain(record.runId)
    expect(await footprint(DEFAULT_STATE_DIR, record, pids)).toEqual(EMPTY)
  })

  test('teardown() removes every run of a state dir', async () => {
    const stateDir = await mkdtemp(`${DEFAULT_STATE_DIR}-test-`) // not under /tmp: nodes mount /tmp privately
    const record = await crashedRun(stateDir)
    const pids = await processesOf(record)
    expect((await footprint(stateDir, record, pids)).links.length).toBeGreaterThan(0)
    // Strays are not swept here: the workloads project's own cluster lives in another state dir.
    const report = await teardown(stateDir, { sweepStrays: false })
    expect(report).toEqual({ removedRuns: [record.runId], problems: [] })
    expect(await footprint(stateDir, record, pids)).toEqual(EMPTY)
    await rm(stateDir, { recursive: true })
  })
})
