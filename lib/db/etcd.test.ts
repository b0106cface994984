// Unit tests of the etcd automation against a recording fake Remote and a stubbed fetch:
// the exact commands (pidfiles, flags, initial-cluster), readiness, leader lookup, options.
import { afterEach, describe, expect, test, vi } from 'vitest'
import { EtcdDb, etcd, initialCluster, leaderIdFromStatuses } from './etcd.ts'
import { fakeContext } from './fake-remote.ts'

/** Answers fetch by URL path: `routes[path](ip)` gives [status, json]. */
function stubFetch(routes: Record<string, (ip: string) => [number, unknown]>) {
  const seen: string[] = []
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const u = new URL(url)
    seen.push(`${init?.method ?? 'GET'} ${url}`)
    const route = routes[u.pathname]
    if (!route) throw new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })
    const [status, body] = route(u.hostname)
    return new Response(JSON.stringify(body), { status })
  })
  return seen
}

afterEach(() => vi.unstubAllGlobals())

const START_N2 =
  'start-stop-daemon --start --oknodo --background --no-close --make-pidfile --pidfile /opt/etcd/etcd.pid ' +
  '--chdir /opt/etcd --exec /opt/etcd/etcd -- --name n2 --data-dir /var/lib/etcd/data ' +
  '--listen-peer-urls http://10.0.0.2:2380 --initial-advertise-peer-urls http://10.0.0.2:2380 ' +
  '--listen-client-urls http://10.0.0.2:2379 --advertise-client-urls http://10.0.0.2:2379 ' +
  '--initial-cluster n1=http://10.0.0.1:2380,n2=http://10.0.0.2:2380,n3=http://10.0.0.3:2380 ' +
  '--initial-cluster-state new --initial-cluster-token jepsen-run1 >>/opt/etcd/etcd.log 2>&1 </dev/null'
const KILL = 'start-stop-daemon --stop --oknodo --quiet --pidfile /opt/etcd/etcd.pid --name etcd'

describe('etcd automation', () => {
  test('setup kills leftovers, wipes data, ships the binary, starts every member and waits for /health', async () => {
    const { ctx, remotes } = fakeContext(3, (cmd) =>
      cmd.startsWith('sha256sum') ? { code: 1 } : cmd.includes('--status') ? { code: 0 } : undefined,
    )
    let healthCalls = 0
    stubFetch({
      '/health': () => (healthCalls++ < 3 ? [503, { health: 'false' }] : [200, { health: 'true' }]),
    })
    await etcd().setup(ctx)
    const n2 = remotes.get('n2')!
    expect(n2.commands).toEqual([
      `${KILL} --retry KILL/10 --remove-pidfile`,
      'rm -rf /var/lib/etcd/data',
      'mkdir -p /opt/etcd /var/lib/etcd',
      'truncate -s 0 /opt/etcd/etcd.log',
      'sha256sum /opt/etcd/etcd 2>/dev/null',
      START_N2,
      ...n2.commands.slice(6).map(() => expect.stringMatching(/^start-stop-daemon --status /)),
    ])
    expect(n2.calls.find((c) => c.kind === 'upload')).toEqual({
      kind: 'upload',
      localPath: '/usr/bin/etcd',
      remotePath: '/opt/etcd/etcd',
      mode: 0o755,
    })
    expect(n2.calls.every((c) => c.kind !== 'exec' || c.opts?.sudo === true)).toBe(true)
  })

  test('a member that exits during setup fails at once with its log tail', async () => {
    const { ctx } = fakeContext(3, (cmd, node) => {
      if (cmd.includes('--status')) return { code: node.name === 'n3' ? 3 : 0 }
      if (cmd.startsWith('tail'))
        return { stdout: 'etcdmain: listen tcp 10.0.0.3:2380: bind: address already in use\n' }
      return undefined
    })
    stubFetch({ '/health': (ip) => (ip === '10.0.0.3' ? [503, {}] : [200, { health: 'true' }]) })
    await expect(etcd().setup(ctx)).rejects.toThrow(
      /etcd start failed on 1 of 3 nodes:\n\s*etcd on n3 exited during startup[\s\S]*address already in use/,
    )
  })

  test('kill, pause, resume signal by pidfile; start rejoins as an existing member', async () => {
    const { ctx, remotes } = fakeContext(3)
    stubFetch({ '/health': () => [503, { health: 'false' }] })
    const db = etcd()
    await db.kill(ctx, 'n2', 'etcd')
    await db.pause(ctx, 'n2', 'etcd')
    await db.resume(ctx, 'n2', 'etcd')
    await db.start(ctx, 'n2', 'etcd')
    const cmds = remotes.get('n2')!.commands
    expect(cmds.slice(0, 3)).toEqual([
      `${KILL} --retry KILL/10 --remove-pidfile`,
      `${KILL} --signal STOP`,
      `${KILL} --signal CONT`,
    ])
    expect(cmds[3]).toBe(START_N2.replace('--initial-cluster-state new', '--initial-cluster-state existing'))
    expect(remotes.get('n1')!.commands).toEqual([])
  })

  test('roles and nodes are checked with the allowed values in the message', async () => {
    const { ctx } = fakeContext(3)
    await expect(etcd().kill(ctx, 'n2', 'pd')).rejects.toThrow('etcd has no role "pd"; allowed roles: etcd')
    await expect(etcd().kill(ctx, 'n9', 'etcd')).rejects.toThrow('unknown node "n9"; nodes are n1, n2, n3')
  })

  test('leader maps the newest term leader id to its member name', async () => {
    const { ctx } = fakeContext(3)
    const ids: Record<string, string> = { '10.0.0.1': '11', '10.0.0.2': '22', '10.0.0.3': '33' }
    const seen = stubFetch({
      // n1 is a deposed leader in an old term; n2 and n3 agree that n3 leads.
      '/v3/maintenance/status': (ip) => [
        200,
        {
          header: { member_id: ids[ip] },
          leader: ip === '10.0.0.1' ? '11' : '33',
          raftTerm: ip === '10.0.0.1' ? '4' : '5',
        },
      ],
      '/v3/cluster/member/list': () => [
        200,
        {
          members: Object.entries(ids).map(([ip, id]) => ({ ID: id, name: `n${ip.slice(-1)}` })),
        },
      ],
    })
    expect(await etcd().leader(ctx)).toBe('n3')
    expect(seen).toContain('POST http://10.0.0.1:2379/v3/maintenance/status')
  })

  test('leader is undefined when no member reports one', async () => {
    const { ctx } = fakeContext(3)
    stubFetch({ '/v3/maintenance/status': () => [200, { leader: '0', raftTerm: '3' }] })
    expect(await etcd().leader(ctx)).toBeUndefined()
    expect(leaderIdFromStatuses([])).toBeUndefined()
  })

  test("a node's client server gets that node's client URL only", () => {
    const { ctx } = fakeContext(3)
    expect(etcd().endpoints(ctx, 'n2').endpoints).toEqual(['http://10.0.0.2:2379'])
    expect(() => etcd().endpoints(ctx, 'n9')).toThrow(/n9/)
    expect(initialCluster(ctx.nodes)).toBe(
      'n1=http://10.0.0.1:2380,n2=http://10.0.0.2:2380,n3=http://10.0.0.3:2380',
    )
  })

  test('read mode is passed to client servers; bad options name the allowed values', () => {
    expect(etcd().clientServerArgs()).toEqual(['--etcd-reads', 'linearizable'])
    expect(etcd({ reads: 'serializable' }).clientServerArgs()).toEqual(['--etcd-reads', 'serializable'])
    expect(() => new EtcdDb({ reads: 'stale' as 'serializable' })).toThrow(/linearizable.*serializable/)
    expect(etcd().logFiles('n1')).toEqual(['/opt/etcd/etcd.log'])
  })
})
