// `jepsen-tikv teardown`: removes every cluster, namespace, bridge, veth, process and directory
// this project left behind, whether its run is alive or crashed (DESIGN §4). Setup does the same
// for dead runs automatically; this is the manual, total version. Nodes of the ssh provider
// outlive runs, so with --nodes h1,h2 and --ssh-private-key it also heals those hosts: every
// run's iptables rules go, SIGSTOPped processes get SIGCONT and TiKV's libfaketime clock is reset
// (a strobe loop stopped) where there is one (nemesis/heal-cluster.ts).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { healCluster } from '../../nemesis/heal-cluster.ts'
import { teardown } from '../cluster/cleanup.ts'
import { requireRoot } from '../cluster/host.ts'
import { DEFAULT_STATE_DIR } from '../cluster/registry.ts'
import { type SshHostsOptions, sshNodes } from '../cluster/ssh-hosts.ts'
import { ConfigError, type ConfigProblem, OPTIONS, readOptions } from '../config/options.ts'
import type { NodeInfo, Remote } from '../control/remote.ts'
import { TIKV_PATHS } from '../db/tikv.ts'
import { Command } from './commander.ts'

export interface SshTeardownFlags {
  nodes?: string
  sshPrivateKey?: string
  sshUser?: string
  knownHosts?: string
}

/**
 * The ssh hosts to heal: none when neither --nodes nor --ssh-private-key is given; otherwise
 * both are needed and --nodes must list hosts. Throws a ConfigError naming each bad flag.
 */
export function sshHostsFromFlags(f: SshTeardownFlags): SshHostsOptions | undefined {
  if (f.nodes === undefined && f.sshPrivateKey === undefined) return undefined
  const problems: ConfigProblem[] = []
  let values: { nodes: number | string[]; sshPrivateKey: string; sshUser: string } | undefined
  try {
    values = readOptions(['nodes', 'sshPrivateKey', 'sshUser'], {
      [OPTIONS.nodes.env]: f.nodes,
      [OPTIONS.sshPrivateKey.env]: f.sshPrivateKey,
      [OPTIONS.sshUser.env]: f.sshUser,
    })
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    problems.push(...e.problems)
  }
  if (f.nodes === undefined)
    problems.push({
      spec: OPTIONS.nodes,
      reason: 'give the ssh hosts to heal with --ssh-private-key (e.g. h1,h2:2222)',
    })
  else if (values && !Array.isArray(values.nodes))
    problems.push({
      spec: OPTIONS.nodes,
      raw: f.nodes,
      reason: 'teardown heals ssh hosts: give a host list, not a count',
    })
  if (f.sshPrivateKey === undefined)
    problems.push({ spec: OPTIONS.sshPrivateKey, reason: 'needed to reach the ssh hosts given by --nodes' })
  if (problems.length || !values) throw new ConfigError(problems)
  return {
    hosts: values.nodes as string[],
    privateKeyPath: values.sshPrivateKey,
    username: values.sshUser,
    knownHostsPath: f.knownHosts,
  }
}

/**
 * Heals the ssh hosts (host keys checked as the ssh provider does: --known-hosts, or recorded
 * on first use into a temporary known_hosts). One line per healed host; unreachable hosts are
 * problems, and the others are still healed.
 */
export async function healSshHosts(
  hosts: SshHostsOptions,
  o: { connect?: (node: NodeInfo) => Promise<Remote>; log?: (message: string) => void } = {},
): Promise<{ healed: string[]; problems: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'jepsen-teardown-'))
  try {
    let nodes: NodeInfo[]
    try {
      nodes = await sshNodes(hosts, dir, o.log ?? (() => {}))
    } catch (e) {
      return { healed: [], problems: [(e as Error).message] }
    }
    const reports = await healCluster({ nodes }, { connect: o.connect, faketimeFiles: [TIKV_PATHS.faketime] })
    return {
      healed: reports
        .filter((r) => !r.error)
        .map((r) => `healed ${r.node}: ${r.rulesRemoved} rules removed, resumed [${r.resumed.join(', ')}]`),
      problems: reports.flatMap((r) => (r.error ? [`${r.node}: ${r.error}`] : [])),
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export function teardownCommand(): Command {
  return new Command('teardown')
    .option(
      '--state-dir <dir>',
      OPTIONS.stateDir.description,
      process.env.JEPSEN_STATE_DIR || DEFAULT_STATE_DIR,
    )
    .option('--no-sweep', 'only remove registered runs, not stray interfaces named like ours')
    .option('--nodes <hosts>', 'ssh hosts to heal, comma-separated (host or host:port)')
    .option('--ssh-private-key <path>', 'private key for the ssh hosts')
    .option('--ssh-user <user>', OPTIONS.sshUser.description, OPTIONS.sshUser.default)
    .option(
      '--known-hosts <path>',
      'known_hosts with the ssh hosts’ keys (default: record them on first use)',
    )
    .action(async (o: { stateDir: string; sweep: boolean } & SshTeardownFlags) => {
      let hosts: SshHostsOptions | undefined
      try {
        hosts = sshHostsFromFlags(o)
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e
        console.error(`jepsen-tikv teardown: ${e.forFlags()}`)
        process.exit(3)
      }
      requireRoot('jepsen-tikv teardown')
      const report = await teardown(o.stateDir, { sweepStrays: o.sweep })
      console.log(
        report.removedRuns.length ? `removed runs: ${report.removedRuns.join(', ')}` : 'no runs to remove',
      )
      const problems = [...report.problems]
      if (hosts) {
        const ssh = await healSshHosts(hosts, { log: (m) => console.log(m) })
        for (const line of ssh.healed) console.log(line)
        problems.push(...ssh.problems)
      }
      for (const p of problems) console.error(`problem: ${p}`)
      process.exit(problems.length ? 4 : 0)
    })
}
