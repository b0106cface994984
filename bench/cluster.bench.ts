// Time from start to a ready local cluster: 5 namespace nodes reachable over ssh (host keys
// checked), then with etcd, then with etcd and client servers (when the Rust binary is built),
// then PD + TiKV from the built tarballs when present (with the restarts its start loop needed),
// and stop(). Baseline: creating and deleting 5 bare network namespaces in the same run.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { missingBinaryReason } from '../lib/client/server-process.ts'
import type { Cluster, ClusterInfo } from '../lib/cluster/cluster.ts'
import { LocalCluster } from '../lib/cluster/clusters.ts'
import { startClusterFromEnv } from '../lib/cluster/from-env.ts'
import { run } from '../lib/cluster/host.ts'
import { etcd } from '../lib/db/etcd.ts'
import { tikv as tikvDb } from '../lib/db/tikv.ts'
import type { BenchSection } from './main.ts'

const NODES = 5
const REPEAT = 3
/** The rule for where scripts/tikv-build/build.sh packed PD and TiKV (shared with CI). */
const TARBALLS_SH = fileURLToPath(new URL('../scripts/tikv-build/tarballs.sh', import.meta.url))

type Started = { stop(): Promise<void>; info: Pick<ClusterInfo, 'timings' | 'dbRestarts'> }

/** The built PD and TiKV tarballs (the default build, else the no-jemalloc one) and whether both exist. */
function tikvTarballs(): { pdTarball: string; tikvTarball: string; present: boolean } {
  const [pdTarball = '', tikvTarball = ''] = execFileSync(
    'bash',
    ['-c', '. "$0" && printf "%s\\n%s" "$BUILT_PD_TARBALL" "$BUILT_TIKV_TARBALL"', TARBALLS_SH],
    { encoding: 'utf8' },
  ).split('\n')
  return { pdTarball, tikvTarball, present: existsSync(pdTarball) && existsSync(tikvTarball) }
}

async function bareNamespaces(): Promise<number> {
  const t = performance.now()
  const names = Array.from({ length: NODES }, (_, i) => `jtbench${i}`)
  await Promise.all(names.map((n) => run('ip', ['netns', 'add', n])))
  await Promise.all(names.map((n) => run('ip', ['netns', 'delete', n])))
  return performance.now() - t
}

async function timed(make: () => Promise<Started>) {
  const t = performance.now()
  const cluster = await make()
  const ready = performance.now() - t
  const t2 = performance.now()
  await cluster.stop()
  return {
    ready,
    stop: performance.now() - t2,
    timings: cluster.info.timings,
    restarts: cluster.info.dbRestarts ?? {},
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

export default async function (): Promise<BenchSection[]> {
  if (process.getuid?.() !== 0) return [{ title: 'cluster start', rows: [], notes: ['needs root; skipped'] }]
  const baseline = median(
    await Promise.all([bareNamespaces()]).then(async (a) => [
      ...a,
      await bareNamespaces(),
      await bareNamespaces(),
    ]),
  )
  const variants: [string, () => Promise<Started>][] = [
    ['5 nodes, ssh ready', () => new LocalCluster({ nodes: NODES }).start()],
    ['5 nodes + etcd healthy', () => (new LocalCluster({ nodes: NODES }) as Cluster).withDb(etcd()).start()],
  ]
  const notes: string[] = [`baseline: add+delete ${NODES} bare netns, median ${baseline.toFixed(0)} ms`]
  const missing = missingBinaryReason()
  if (missing) notes.push(`etcd + client servers skipped: ${missing}`)
  else
    variants.push([
      '5 nodes + etcd + client servers (globalSetup path)',
      async () => (await startClusterFromEnv({})).cluster,
    ])
  const { pdTarball, tikvTarball, present } = tikvTarballs()
  if (present)
    variants.push([
      '5 nodes + PD + TiKV v8.1.2 (every store Up)',
      () =>
        (new LocalCluster({ nodes: NODES }) as Cluster)
          .withDb(tikvDb({ version: 'v8.1.2', pdTarball, tikvTarball }))
          .start(),
    ])
  else notes.push(`PD + TiKV skipped: no ${pdTarball} or ${tikvTarball} (scripts/tikv-build/build.sh)`)
  const rows: Record<string, string | number>[] = []
  for (const [name, make] of variants) {
    const runs = []
    try {
      for (let i = 0; i < REPEAT; i++) runs.push(await timed(make))
    } catch (err) {
      notes.push(`${name}: failed: ${(err as Error).message.split('\n')[0]}`)
      continue
    }
    const ready = median(runs.map((r) => r.ready))
    const last = runs[runs.length - 1].timings
    const restarts = runs.map((r) => Object.values(r.restarts).reduce((a, b) => a + b, 0))
    rows.push({
      cluster: name,
      'ready ms (median of 3)': Math.round(ready),
      'x baseline': (ready / baseline).toFixed(1),
      'stop ms': Math.round(median(runs.map((r) => r.stop))),
      'start restarts per run': restarts.join(' / '),
      phases: Object.entries(last)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    })
  }
  return [{ title: `local cluster start (${NODES} nodes)`, rows, notes }]
}
