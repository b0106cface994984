// The lxc provider on real containers (needs root, lxc and debootstrap; opt-in with
// JEPSEN_TEST_LXC=1 because a cold base image takes two to three minutes): containers come up
// with sshd and checked host keys, run etcd through the same DB automation as every provider,
// keep iptables rules to themselves, cannot set the clock, and stop() / the next setup leave no
// container, interface, cgroup or path of the run behind; a base image build that debootstrap
// cannot complete fails with the mirror named and records no image.
import { existsSync, readdirSync, readlinkSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Remote } from '../control/remote.ts'
import { HostKeyError, SshRemote } from '../control/ssh.ts'
import { etcd } from '../db/etcd.ts'
import { cleanupDeadRuns } from './cleanup.ts'
import type { StartedCluster } from './cluster.ts'
import { LxcCluster } from './clusters.ts'
import { run } from './host.ts'
import { ensureBaseImage, imagePaths } from './lxc-image.ts'
import { resourceNames } from './naming.ts'
import { DEFAULT_STATE_DIR, type RunRecord } from './registry.ts'
import { crashedRun } from './testing/crashed-run.ts'
import { EMPTY, footprint } from './testing/footprint.ts'

const enabled = process.env.JEPSEN_TEST_LXC === '1' && process.getuid?.() === 0
const title = (name: string) =>
  enabled
    ? name
    : `${name} (skipped: set JEPSEN_TEST_LXC=1 and run as root to enable; builds or reuses a Debian base container, ~2-3 min cold)`
const log = (message: string) => console.log(`[lxc test] ${message}`)

/** cgroups (v1 hierarchies and v2) whose name carries the run tag: LXC's payload and monitor groups. */
function cgroupsOf(tag: string): string[] {
  const root = '/sys/fs/cgroup'
  return [root, ...readdirSync(root).map((h) => join(root, h))].flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((e) => e.includes(`jt${tag}`))
        .map((e) => join(dir, e))
    } catch {
      return [] // a file, not a hierarchy
    }
  })
}

/** Containers, their cgroups and what footprint() sees (interfaces, mounts, paths) of one run. */
async function lxcFootprint(record: RunRecord) {
  const { tag } = resourceNames(record.runId)
  const lxcPaths = [...new Set(record.containers.map((c) => c.lxcPath))]
  return {
    // Container dirs, not lxc-ls: that would recreate LXC's lock files under /run/lxc.
    containers: lxcPaths.flatMap((p) => (existsSync(p) ? readdirSync(p) : []).filter((n) => n.includes(tag))),
    cgroups: cgroupsOf(tag),
    ...(await footprint(DEFAULT_STATE_DIR, record, [])),
  }
}
const NOTHING = { containers: [], cgroups: [], ...EMPTY }

describe.skipIf(!enabled)(title('lxc provider'), () => {
  let cluster: StartedCluster
  const remote = (name: string) => cluster.remotes.get(name) as Remote

  beforeAll(async () => {
    cluster = await new LxcCluster({ nodes: 3, log }).withDb(etcd()).start()
    log(`start timings (ms): ${JSON.stringify(cluster.info.timings)}`)
  }, 600_000)
  afterAll(() => cluster?.stop())

  test('three containers, each its own hostname, address, Debian root, and no CAP_SYS_TIME', async () => {
    expect(cluster.info.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3'])
    for (const node of cluster.info.nodes) {
      const { stdout } = await remote(node.name).exec(
        'hostname; hostname -I; . /etc/os-release; echo $VERSION_CODENAME; cat /etc/hostname',
      )
      expect(stdout.split(/\s+/).filter(Boolean)).toEqual([node.name, node.ip, 'bookworm', node.name])
    }
    // Private filesystems: a file written in n1 is neither in n2 nor on the host.
    await remote('n1').writeFile('/root/only-n1', 'x')
    expect((await remote('n2').exec('test -e /root/only-n1', { check: false })).code).toBe(1)
    expect(existsSync('/root/only-n1')).toBe(false)
    const date = await remote('n1').exec('date -s @0', { check: false })
    expect(date.code).not.toBe(0)
    expect(date.stderr).toMatch(/Operation not permitted/)
    expect((await remote('n1').exec('grep CapBnd /proc/self/status')).stdout).not.toMatch(/ffffffffff/)
  })

  test('etcd from the DB automation runs inside every container and replicates', async () => {
    const ctx = cluster.dbContext()
    expect(cluster.info.nodes.map((n) => n.name)).toContain(await cluster.db?.leader(ctx))
    for (const node of cluster.info.nodes) {
      // The pidfile's process is etcd and lives in the container's own PID namespace.
      const { stdout } = await remote(node.name).exec(
        'ps -o comm= -p "$(cat /opt/etcd/etcd.pid)"; readlink /proc/1/ns/pid',
      )
      const [comm, pidns] = stdout.trim().split('\n')
      expect(comm).toBe('etcd')
      expect(pidns).not.toBe(readlinkSync('/proc/self/ns/pid'))
    }
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const [n1, , n3] = cluster.info.nodes
    const put = await fetch(`http://${n1.ip}:2379/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({ key: b64('lxc-test'), value: b64('hello') }),
    })
    expect(put.status).toBe(200)
    const range = (await (
      await fetch(`http://${n3.ip}:2379/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: b64('lxc-test') }),
      })
    ).json()) as { kvs?: { value: string }[] }
    expect(range.kvs?.map((kv) => Buffer.from(kv.value, 'base64').toString())).toEqual(['hello'])
  })

  test('each container has its own host key, and ssh refuses one whose key is not the recorded one', async () => {
    const [n1, n2] = cluster.info.nodes
    const known = (await run('cat', [n1.ssh.knownHostsPath as string])).stdout.trim().split('\n')
    expect(known.map((l) => l.split(' ')[0])).toEqual(cluster.info.nodes.map((n) => n.ip))
    expect(new Set(known.map((l) => l.split(' ')[2])).size).toBe(3)
    const wrong = join(await mkdtemp(join(tmpdir(), 'kh-')), 'known_hosts')
    const n2Line = known.find((l) => l.startsWith(`${n2.ip} `)) as string
    await writeFile(wrong, `${n2Line.replace(n2.ip, n1.ip)}\n`)
    await expect(SshRemote.connect({ ...n1, ssh: { ...n1.ssh, knownHostsPath: wrong } })).rejects.toThrow(
      HostKeyError,
    )
  })

  test('iptables in one container changes neither the host nor the other containers', async () => {
    const [n1, n2, n3] = ['n1', 'n2', 'n3'].map(remote)
    const hostBefore = (await run('iptables', ['-S'])).stdout
    const n3Before = (await n3.exec('iptables -S')).stdout
    const reach = (from: Remote, to: Remote) =>
      from.exec(`timeout 2 bash -c '</dev/tcp/${to.node.ip}/22'`, { check: false }).then((r) => r.code === 0)
    expect(await reach(n2, n1)).toBe(true)
    await n1.exec(`iptables -A INPUT -s ${n2.node.ip} -j DROP`)
    try {
      expect((await n1.exec('iptables -S INPUT')).stdout).toContain(`-A INPUT -s ${n2.node.ip}/32 -j DROP`)
      expect((await run('iptables', ['-S'])).stdout).toBe(hostBefore)
      expect((await n3.exec('iptables -S')).stdout).toBe(n3Before)
      expect(await reach(n2, n1)).toBe(false)
      expect(await reach(n3, n1)).toBe(true)
    } finally {
      await n1.exec('iptables -F INPUT')
    }
    expect(await reach(n2, n1)).toBe(true)
  })

  test('stop() leaves no container, interface, cgroup or path of the run', async () => {
    const record = cluster.registration.record
    const before = await lxcFootprint(record)
    expect(before.containers).toHaveLength(3)
    expect(before.links.length).toBe(4) // bridge + 3 veths
    expect(before.cgroups.length).toBeGreaterThan(0)
    const t = performance.now()
    await cluster.stop()
    log(`stop took ${Math.round(performance.now() - t)} ms`)
    expect(await lxcFootprint(record)).toEqual(NOTHING)
  })
})

describe.skipIf(!enabled)(title('lxc crash-safe cleanup'), () => {
  test('the next setup removes the containers of a SIGKILLed run', async () => {
    const record = await crashedRun(DEFAULT_STATE_DIR, 2, 'lxc')
    const left = await lxcFootprint(record)
    expect(left.containers).toHaveLength(2) // the containers outlive their owner
    expect(left.links).toHaveLength(3)
    const report = await cleanupDeadRuns(DEFAULT_STATE_DIR)
    expect(report.removedRuns).toContain(record.runId)
    expect(report.problems).toEqual([])
    expect(await lxcFootprint(record)).toEqual(NOTHING)
  }, 600_000)
})

describe.skipIf(!enabled)(title('lxc base image build'), () => {
  test('a mirror debootstrap cannot use fails the build, naming the mirror and the log, and records no image', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'lxc-image-'))
    const mirror = 'http://127.0.0.1:9/debian' // nothing listens on the discard port
    const attempt = () => ensureBaseImage(cacheDir, log, undefined, { JEPSEN_LXC_MIRROR: mirror })
    const paths = imagePaths(cacheDir)
    try {
      await expect(attempt()).rejects.toThrow(
        `lxc: debootstrap of the base image failed (exit 1) from the Debian mirror ${mirror} (JEPSEN_LXC_MIRROR;`,
      )
      // Nothing recorded: the next attempt builds again (and fails the same way).
      expect(existsSync(paths.recipeFile)).toBe(false)
      await expect(attempt()).rejects.toThrow(`all of it in ${paths.buildLog}`)
      expect(await readFile(paths.buildLog, 'utf8')).toMatch(/127\.0\.0\.1:9/)
    } finally {
      await rm(cacheDir, { recursive: true, force: true })
    }
  })
})
