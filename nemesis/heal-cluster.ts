// Crash-safe cleanup of nemesis leftovers on a cluster's nodes, for `jepsen-tikv teardown` and
// setup (DESIGN §4/§6): when a run died mid-fault (SIGKILL, crash, Ctrl-C during a partition),
// its iptables rules and SIGSTOPped processes stay behind on nodes that outlive it (ssh hosts,
// kept clusters). healCluster removes every rule tagged with a run id that is not live,
// SIGCONTs stopped processes of the project's binaries and resets libfaketime offsets.
import type { ClusterInfo } from '../lib/cluster/cluster.ts'
import type { NodeInfo, Remote } from '../lib/control/remote.ts'
import { quote } from '../lib/control/shell.ts'
import { SshRemote } from '../lib/control/ssh.ts'
import { resetCommand } from '../lib/db/faketime.ts'
import { errorMessage as message } from '../lib/runner/client.ts'
import { removeTaggedRules } from './partition.ts'

export interface HealClusterOptions {
  /** Run ids whose rules stay (runs still in progress on these nodes). */
  liveRunIds?: readonly string[]
  /** Already-connected remotes (default: connect to every node over ssh, and close after). */
  remotes?: readonly Remote[]
  /** How to reach a node not in `remotes` (default: SshRemote.connect). */
  connect?: (node: NodeInfo) => Promise<Remote>
  /** Stopped processes whose executable lies under one of these dirs get SIGCONT (default /opt/). */
  binaryDirs?: readonly string[]
  /** libfaketime offset files to reset to zero (and stop strobing) where they exist. */
  faketimeFiles?: readonly string[]
}

export interface NodeHealReport {
  node: string
  rulesRemoved: number
  /** PIDs that were stopped and got SIGCONT. */
  resumed: number[]
  error?: string
}

/** A script that SIGCONTs every stopped process whose executable is under one of `dirs`, printing their PIDs. */
export function resumeStoppedCommand(dirs: readonly string[]): string {
  const cases = dirs.map((d) => `${quote(d.endsWith('/') ? d : `${d}/`)}*`).join('|')
  return [
    `ps -eo pid=,stat=,args= | while read -r pid stat exe rest; do`,
    `  case "$stat" in T*) ;; *) continue ;; esac`,
    `  case "$exe" in ${cases}) kill -CONT "$pid" && echo "$pid" ;; esac`,
    'done',
  ].join('\n')
}

/** Heals every node of the cluster; reports per node (a node that cannot be reached has `error`). */
export async function healCluster(
  info: Pick<ClusterInfo, 'nodes'>,
  opts: HealClusterOptions = {},
): Promise<NodeHealReport[]> {
  const live = new Set(opts.liveRunIds ?? [])
  const given = new Map((opts.remotes ?? []).map((r) => [r.node.name, r]))
  return Promise.all(
    info.nodes.map(async (node): Promise<NodeHealReport> => {
      const report: NodeHealReport = { node: node.name, rulesRemoved: 0, resumed: [] }
      let remote = given.get(node.name)
      try {
        remote ??= await (opts.connect ?? ((n) => SshRemote.connect(n)))(node)
        report.rulesRemoved = await removeTaggedRules(remote, (id) => !live.has(id))
        const { stdout } = await remote.exec(resumeStoppedCommand(opts.binaryDirs ?? ['/opt/']), {
          sudo: true,
        })
        report.resumed = stdout.split('\n').filter(Boolean).map(Number)
        for (const f of opts.faketimeFiles ?? []) await remote.exec(resetCommand(f), { sudo: true })
      } catch (e) {
        report.error = message(e)
      } finally {
        if (remote && !given.has(node.name)) await remote.close().catch(() => undefined)
      }
      return report
    }),
  )
}
