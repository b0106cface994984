// `jepsen-tikv teardown`: removes every cluster, namespace, bridge, veth, process and directory
// this project left behind, whether its run is alive or crashed (DESIGN §4). Setup does the same
// for dead runs automatically; this is the manual, total version.
import { Command } from 'commander'
import { teardown } from '../cluster/cleanup.ts'
import { requireRoot } from '../cluster/host.ts'
import { DEFAULT_STATE_DIR } from '../cluster/registry.ts'

export function teardownCommand(): Command {
  return new Command('teardown')
    .description(
      'remove everything jepsen-tikv created on this host (clusters, namespaces, bridges, processes)',
    )
    .option('--state-dir <dir>', 'run registry directory', process.env.JEPSEN_STATE_DIR ?? DEFAULT_STATE_DIR)
    .option('--no-sweep', 'only remove registered runs, not stray interfaces named like ours')
    .action(async (o: { stateDir: string; sweep: boolean }) => {
      requireRoot('jepsen-tikv teardown')
      const report = await teardown(o.stateDir, { sweepStrays: o.sweep })
      console.log(
        report.removedRuns.length ? `removed runs: ${report.removedRuns.join(', ')}` : 'no runs to remove',
      )
      for (const p of report.problems) console.error(`problem: ${p}`)
      process.exit(report.problems.length ? 4 : 0)
    })
}
