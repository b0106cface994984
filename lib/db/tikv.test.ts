// Unit tests of the TiKV automation against recording fake Remotes and a stubbed fetch: the
// exact install/start commands (pidfiles, flags, TMPDIR, ulimit), configs written, start order
// (all PDs, a PD leader, then TiKVs, then stores Up), config-check and crash handling, per-role
// process control, leader lookup, tarball sources and options.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'smol-toml'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { fakeContext, type Responder } from './fake-remote.ts'
import { resetCommand } from './faketime.ts'
import { makeDb } from './make-db.ts'
import { configCheckPassed, FATAL_START, pdMemberHealthy, storesProblem, TIKV_PATHS, tikv } from './tikv.ts'

let dir: string
let pdTarball: string
let tikvTarball: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jt-tikv-'))
  pdTarball = join(dir, 'pd.tar.gz')
  tikvTarball = join(dir, 'tikv.tar.gz')
  await writeFile(pdTarball, 'pd bytes')
  await writeFile(tikvTarball, 'tikv bytes')
})
afterAll(() => rm(dir, { recursive: true, force: true }))
afterEach(() => vi.unstubAllGlobals())

const ipName = (ip: string) => `n${ip.split('.')[3]}`

/** A healthy fake cluster over HTTP; `events` records the order of readiness calls. */
function stubHttp(events: string[], overrides: Record<string, (ip: string) => [number, unknown]> = {}) {
  const routes: Record<string, (ip: string) => [number, unknown]> = {
    '/pd/api/v1/health': (ip) => [200, [{ name: ipName(ip), member_id: 1, health: true }]],
    '/pd/api/v1/leader': () => [200, { name: 'n1', member_id: 1 }],
    '/status': () => [200, ''],
    '/pd/api/v1/stores': () => [
      200,
      {
        count: 3,
        stores: [1, 2, 3].map((i) => ({ store: { id: i, address: `10.0.0.${i}:20160`, state_name: 'Up' } })),
      },
    ],
    '/pd/api/v1/cluster/status': () => [200, { is_initialized: true }],
    ...overrides,
  }
  vi.stubGlobal('fetch', async (url: string) => {
    const u = new URL(url)
    events.push(`${u.hostname} ${u.pathname}`)
    const route = routes[u.pathname]
    if (!route) throw new TypeError('fetch failed')
    const [status, body] = route(u.hostname)
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })
  })
}

const healthyNode: Responder = (cmd) => {
  if (cmd.startsWith('sha256sum')) return { code: 1 }
  if (cmd.includes('--config-check')) return { stdout: 'config check successful\n' }
  return undefined
}

const PD_N2_ARGS =
  '--name n2 --data-dir /opt/tikv/data/pd --client-urls http://10.0.0.2:2379 --peer-urls http://10.0.0.2:2380 ' +
  '--advertise-client-urls http://10.0.0.2:2379 --advertise-peer-urls http://10.0.0.2:2380 ' +
  '--initial-cluster n1=http://10.0.0.1:2380,n2=http://10.0.0.2:2380,n3=http://10.0.0.3:2380 ' +
  '--log-file /opt/tikv/pd.log --config /opt/tikv/pd.toml'
const KV_N2_ARGS =
  '--pd-endpoints 10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379 --addr 10.0.0.2:20160 --advertise-addr 10.0.0.2:20160 ' +
  '--status-addr 10.0.0.2:20180 --advertise-status-addr 10.0.0.2:20180 --data-dir /opt/tikv/data/kv ' +
  '--log-file /opt/tikv/kv.log --config /opt/tikv/tikv.toml'
const SSD = 'start-stop-daemon --start --oknodo --background --no-close --make-pidfile'
const START_PD_N2 = `env TMPDIR=/opt/tikv/tmp ${SSD} --pidfile /opt/tikv/pd.pid --chdir /opt/tikv --exec /opt/tikv/bin/pd-server -- ${PD_N2_ARGS} >>/opt/tikv/pd.stdout 2>&1 </dev/null`
const START_KV_N2 = `{ ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; } && env TMPDIR=/opt/tikv/tmp ${SSD} --pidfile /opt/tikv/kv.pid --chdir /opt/tikv --exec /opt/tikv/bin/tikv-server -- ${KV_N2_ARGS} >>/opt/tikv/kv.stdout 2>&1 </dev/null`
const STOP_KV = 'start-stop-daemon --stop --oknodo --quiet --pidfile /opt/tikv/kv.pid --name tikv-server'
const STOP_PD = 'start-stop-daemon --stop --oknodo --quiet --pidfile /opt/tikv/pd.pid --name pd-server'

describe('TiKV setup', () => {
  test('installs, checks configs, starts all PDs, waits for a leader, then all TiKVs and the stores', async () => {
    const { ctx, remotes } = fakeContext(3, healthyNode)
    const events: string[] = []
    stubHttp(events)
    await tikv({ pdTarball, tikvTarball }).setup(ctx)
    const n2 = remotes.get('n2')!
    expect(n2.commands.slice(0, 13)).toEqual([
      `${STOP_KV} --retry KILL/10 --remove-pidfile`,
      `${STOP_PD} --retry KILL/10 --remove-pidfile`,
      'rm -rf /opt/tikv/data/pd /opt/tikv/data/kv /opt/tikv/tmp',
      'mkdir -p /opt/tikv/bin /opt/tikv/tmp /opt/tikv/data/pd /opt/tikv/data/kv',
      'truncate -s 0 /opt/tikv/pd.log /opt/tikv/pd.stdout /opt/tikv/kv.log /opt/tikv/kv.stdout',
      'sha256sum /opt/tikv/pd.tar.gz 2>/dev/null',
      'test -x /opt/tikv/bin/pd-server',
      'tar -xzf /opt/tikv/pd.tar.gz -C /opt/tikv/bin',
      'test -x /opt/tikv/bin/pd-server',
      'sha256sum /opt/tikv/tikv.tar.gz 2>/dev/null',
      'test -x /opt/tikv/bin/tikv-server',
      'tar -xzf /opt/tikv/tikv.tar.gz -C /opt/tikv/bin',
      'test -x /opt/tikv/bin/tikv-server',
    ])
    expect(n2.commands.slice(13, 16)).toEqual([
      `/opt/tikv/bin/pd-server --config-check ${PD_N2_ARGS} 2>&1`,
      `/opt/tikv/bin/tikv-server --config-check ${KV_N2_ARGS} 2>&1`,
      START_PD_N2,
    ])
    expect(n2.commands).toContain(START_KV_N2)
    expect(
      n2.calls.filter((c) => c.kind === 'upload').map((c) => c.kind === 'upload' && c.localPath),
    ).toEqual([pdTarball, tikvTarball])
    const kvToml = parse(n2.file('/opt/tikv/tikv.toml')!) as Record<string, Record<string, unknown>>
    expect(kvToml.coprocessor['region-max-keys']).toBe(5)
    expect(
      (parse(n2.file('/opt/tikv/pd.toml')!) as Record<string, Record<string, unknown>>).replication,
    ).toEqual({
      'max-replicas': 3,
    })
    // Order: every PD healthy before the leader barrier, which precedes any TiKV probe, which
    // precedes the store check.
    const firstIndex = (p: string) => events.findIndex((e) => e.endsWith(p))
    const lastIndex = (p: string) => events.findLastIndex((e) => e.endsWith(p))
    expect(
      new Set(events.filter((e) => e.endsWith('/pd/api/v1/health')).map((e) => e.split(' ')[0])).size,
    ).toBe(3)
    expect(lastIndex('/pd/api/v1/health')).toBeLessThan(firstIndex('/pd/api/v1/leader'))
    expect(lastIndex('/pd/api/v1/leader')).toBeLessThan(firstIndex(' /status'))
    expect(lastIndex(' /status')).toBeLessThan(firstIndex('/pd/api/v1/stores'))
    // Start order on each node: PD started before TiKV.
    expect(n2.commands.indexOf(START_PD_N2)).toBeLessThan(n2.commands.indexOf(START_KV_N2))
  })

  test('a config that --config-check does not pass stops setup with the checker output', async () => {
    const { ctx } = fakeContext(3, (cmd) =>
      cmd.includes('pd-server --config-check')
        ? { stdout: '[WARN] Config contains undefined item: schedule.bogus\n' }
        : healthyNode(cmd, ctx.nodes[0]),
    )
    stubHttp([])
    await expect(tikv({ pdTarball, tikvTarball }).setup(ctx)).rejects.toThrow(
      /pd-server --config-check rejected the generated config \(exit 0\):\n\[WARN\] Config contains undefined item/,
    )
  })

  test('a tarball without the binary at its root is named with its contents', async () => {
    const { ctx } = fakeContext(3, (cmd) => {
      if (cmd === 'test -x /opt/tikv/bin/pd-server') return { code: 1 }
      if (cmd.startsWith('tar -tzf')) return { stdout: 'bin/\nbin/pd-server\n' }
      return healthyNode(cmd, ctx.nodes[0])
    })
    stubHttp([])
    await expect(tikv({ pdTarball, tikvTarball }).setup(ctx)).rejects.toThrow(
      `${pdTarball} has no pd-server at its root; it contains:\nbin/\nbin/pd-server`,
    )
  })

  test('a PD that dies with a config error fails at once; one that just crashes is restarted', async () => {
    let pdStarts = 0
    const { ctx, remotes } = fakeContext(3, (cmd, node) => {
      if (cmd.includes('pd-server --') && cmd.startsWith('env')) pdStarts += node.name === 'n3' ? 1 : 0
      if (cmd.startsWith('start-stop-daemon --status') && cmd.includes('pd.pid') && node.name === 'n3')
        return { code: pdStarts < 2 ? 3 : 0 }
      if (cmd.startsWith('tail') && node.name === 'n3')
        return { stdout: 'panic: dial tcp: connection refused\n' }
      return healthyNode(cmd, node)
    })
    const unhealthyN3 = (ip: string): [number, unknown] =>
      ip === '10.0.0.3' && pdStarts < 2 ? [503, 'no leader'] : [200, [{ name: ipName(ip), health: true }]]
    stubHttp([], { '/pd/api/v1/health': unhealthyN3 })
    await tikv({ pdTarball, tikvTarball }).setup(ctx)
    expect(pdStarts).toBe(2)
    expect(remotes.get('n3')!.commands.filter((c) => c.includes('/opt/tikv/bin/pd-server --'))).toHaveLength(
      3,
    )

    const fatal = fakeContext(3, (cmd, node) => {
      if (cmd.startsWith('start-stop-daemon --status') && node.name === 'n3') return { code: 3 }
      if (cmd.startsWith('tail'))
        return { stdout: 'invalid configuration: election-interval must be 5x tick\n' }
      return healthyNode(cmd, node)
    })
    stubHttp([], {
      '/pd/api/v1/health': (ip) =>
        ip === '10.0.0.3' ? [503, ''] : [200, [{ name: ipName(ip), health: true }]],
    })
    await expect(tikv({ pdTarball, tikvTarball }).setup(fatal.ctx)).rejects.toThrow(
      /PD on n3 failed to start \(invalid configuration\)/,
    )
  })
})

describe('TiKV process control and lookups', () => {
  test('kill, pause, resume and start address one role on one node by pidfile', async () => {
    const { ctx, remotes } = fakeContext(3)
    stubHttp([])
    const db = tikv()
    await db.kill(ctx, 'n2', 'kv')
    await db.pause(ctx, 'n2', 'pd')
    await db.resume(ctx, 'n2', 'pd')
    await db.start(ctx, 'n2', 'kv')
    expect(remotes.get('n2')!.commands.slice(0, 4)).toEqual([
      `${STOP_KV} --retry KILL/10 --remove-pidfile`,
      `${STOP_PD} --signal STOP`,
      `${STOP_PD} --signal CONT`,
      START_KV_N2,
    ])
    expect(remotes.get('n1')!.commands).toEqual([])
    await expect(db.kill(ctx, 'n2', 'etcd')).rejects.toThrow('tikv has no role "etcd"; allowed roles: pd, kv')
  })

  test('leader comes from PD /leader; no PD answering means no leader', async () => {
    const { ctx, log } = fakeContext(3)
    stubHttp([], { '/pd/api/v1/leader': () => [200, { name: 'n3' }] })
    expect(await tikv().leader(ctx)).toBe('n3')
    stubHttp([], { '/pd/api/v1/leader': () => [503, 'no leader'] })
    expect(await tikv().leader(ctx)).toBeUndefined()
    expect(log.at(-1)).toMatch(/no PD answered GET \/pd\/api\/v1\/leader/)
  })

  test('endpoints are PD addresses with the node own PD first; logs include stdout captures', () => {
    const { ctx } = fakeContext(3)
    expect(tikv().endpoints(ctx, 'n3').endpoints).toEqual(['10.0.0.3:2379', '10.0.0.1:2379', '10.0.0.2:2379'])
    expect(tikv().logFiles('n1')).toEqual([
      '/opt/tikv/pd.log',
      '/opt/tikv/pd.stdout',
      '/opt/tikv/kv.log',
      '/opt/tikv/kv.stdout',
      '/opt/tikv/data/kv/last_tikv.toml',
    ])
  })
})

describe('TiKV readiness parsing', () => {
  test('PD health lists this member as healthy', () => {
    expect(pdMemberHealthy([{ name: 'n1', member_id: 1, health: true }], 'n1')).toBe(true)
    expect(pdMemberHealthy([{ name: 'n1', member_id: 1, health: false }], 'n1')).toBe(false)
    expect(pdMemberHealthy([{ name: 'n2', member_id: 2, health: true }], 'n1')).toBe(false)
    expect(pdMemberHealthy({ error: 'x' }, 'n1')).toBe(false)
  })

  test('stores are ready when enough are Up; otherwise the problem names each store', () => {
    const store = (i: number, state: string) => ({
      store: { id: i, address: `10.0.0.${i}:20160`, state_name: state },
    })
    expect(storesProblem({ count: 2, stores: [store(1, 'Up'), store(2, 'Up')] }, 2)).toBeUndefined()
    expect(storesProblem({ count: 2, stores: [store(1, 'Up'), store(2, 'Disconnected')] }, 2)).toBe(
      '1/2 TiKV stores Up (10.0.0.1:20160 Up, 10.0.0.2:20160 Disconnected)',
    )
    expect(storesProblem({ count: 0, stores: null }, 3)).toBe('0/3 TiKV stores Up')
  })

  test('config-check output and fatal start output are recognized', () => {
    expect(configCheckPassed('config check successful')).toBe(true)
    expect(configCheckPassed('[WARN] Config contains undefined item: foo')).toBe(false)
    expect(FATAL_START.test('[FATAL] unknown configuration options: raftstore.foo')).toBe(true)
    expect(FATAL_START.test('maybe another instance is using this directory')).toBe(true)
    expect(FATAL_START.test('[ERROR] validate PD endpoints failed')).toBe(false)
  })
})

describe('TiKV clock faults (libfaketime)', () => {
  const FAKETIME_ENV =
    'LD_PRELOAD=/opt/tikv/lib/libfaketime.so.1 FAKETIME_TIMESTAMP_FILE=/opt/tikv/faketime FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1'

  test('with clock: true, setup ships libfaketime, zeroes the offset file and starts TiKV under it', async () => {
    const libfaketime = join(dir, 'libfaketime.so.1')
    await writeFile(libfaketime, 'elf bytes')
    const { ctx, remotes } = fakeContext(3, healthyNode)
    stubHttp([])
    const db = tikv({ pdTarball, tikvTarball, clock: true, libfaketime })
    expect(db.faketime).toEqual({
      offsetFile: TIKV_PATHS.faketime,
      library: TIKV_PATHS.libfaketime,
      pidfile: TIKV_PATHS.kv.pidfile,
    })
    await db.setup(ctx)
    const n2 = remotes.get('n2')!
    expect(n2.commands).toContain('mkdir -p /opt/tikv/lib')
    expect(n2.calls).toContainEqual({
      kind: 'upload',
      localPath: libfaketime,
      remotePath: '/opt/tikv/lib/libfaketime.so.1',
      mode: 0o644,
    })
    expect(n2.file('/opt/tikv/faketime')).toBe('+0\n')
    // A strobe loop a crashed run left behind is stopped before the offset is zeroed.
    expect(n2.commands).toContain(resetCommand(TIKV_PATHS.faketime))
    const withFaketime = START_KV_N2.replace('TMPDIR=/opt/tikv/tmp', `TMPDIR=/opt/tikv/tmp ${FAKETIME_ENV}`)
    expect(n2.commands).toContain(withFaketime)
    // PD (Go) is not put under libfaketime, and a restart after a kill keeps it.
    expect(n2.commands).toContain(START_PD_N2)
    await db.start(ctx, 'n2', 'kv')
    expect(n2.commands.at(-1)).toBe(withFaketime)
  })

  test('off by default: no faketime file (nemesis/clock.test.ts: clock faults are then refused)', () => {
    expect(tikv().faketime).toBeUndefined()
  })

  test('TIKV_CLOCK and TIKV_LIBFAKETIME set the options; a missing library is named before any node is touched', async () => {
    const db = makeDb(
      'tikv',
      {},
      { TIKV_CLOCK: '1', TIKV_LIBFAKETIME: '/nope/libfaketime.so.1' },
    ) as ReturnType<typeof tikv>
    expect(db.options).toMatchObject({ clock: true, libfaketime: '/nope/libfaketime.so.1' })
    expect(() => makeDb('tikv', {}, { TIKV_CLOCK: 'maybe' })).toThrow(
      'TIKV_CLOCK="maybe": allowed values: 1, true, yes, 0, false, no',
    )
    const { ctx, remotes } = fakeContext(3, healthyNode)
    await expect(db.setup(ctx)).rejects.toThrow(
      'TiKV option clock: libfaketime /nope/libfaketime.so.1 does not exist on the control host',
    )
    expect(remotes.get('n1')!.commands).toEqual([])
  })
})

describe('TiKV options', () => {
  test('tarballs come from the mirror by version unless local paths are given', () => {
    expect(tikv({ version: '8.5.1' }).tarballSources()).toEqual({
      pd: 'https://tiup-mirrors.pingcap.com/pd-v8.5.1-linux-amd64.tar.gz',
      tikv: 'https://tiup-mirrors.pingcap.com/tikv-v8.5.1-linux-amd64.tar.gz',
    })
    expect(tikv({ pdTarball: '/srv/pd.tgz', tikvTarball: '/srv/tikv.tgz' }).tarballSources()).toEqual({
      pd: '/srv/pd.tgz',
      tikv: '/srv/tikv.tgz',
    })
  })

  test('makeDb reads TIKV_* variables under explicit options and rejects bad names and values', () => {
    const env = { TIKV_VERSION: 'v7.5.0', TIKV_MIRROR: 'http://lab/', TIKV_TARBALL: '/srv/tikv.tgz' }
    const db = makeDb('tikv', {}, env) as ReturnType<typeof tikv>
    expect(db.version.tag).toBe('v7.5.0')
    expect(db.tarballSources()).toEqual({
      pd: 'http://lab/pd-v7.5.0-linux-amd64.tar.gz',
      tikv: '/srv/tikv.tgz',
    })
    expect((makeDb('tikv', { version: 'v8.5.1' }, env) as ReturnType<typeof tikv>).version.tag).toBe('v8.5.1')
    expect(() => makeDb('tikv', {}, { TIKV_VERSION: 'nightly' })).toThrow(
      'TiKV version "nightly" is not a TiKV release',
    )
    expect(() => makeDb('tikv', { arch: 'x86' as 'amd64' }, {})).toThrow(
      /invalid TiKV options:[\s\S]*"amd64"\|"arm64"[\s\S]*at arch/,
    )
    expect(() => makeDb('tikv', { pdSha256: 'abc' }, {})).toThrow(/must be 64 hex digits/)
    expect(() => makeDb('mysql')).toThrow('unknown DB "mysql"; allowed values: etcd, tikv')
    expect(makeDb('etcd', { reads: 'serializable' }).clientServerArgs?.()).toEqual([
      '--etcd-reads',
      'serializable',
    ])
  })
})
