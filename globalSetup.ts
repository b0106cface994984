// `jepsen-tikv/global-setup`: the Vitest globalSetup that gives tests a cluster (this
// repository's `workloads` project uses it, and so can a user's vitest.config.ts). It validates
// the config (JEPSEN_* variables), provisions the nodes, installs and starts the DB, starts one
// client server per node, and provides the connection info (`inject('cluster')`, typed below).
// Teardown always runs what it can (client servers, logs into the store, DB, nodes), also on
// SIGINT/SIGTERM; a crashed run is cleaned up by the next setup. In watch mode the cluster stays
// up across reruns; JEPSEN_LEAVE_DB_RUNNING=1 keeps it after the run (the next setup or
// `jepsen-tikv teardown` removes it).
import type { TestProject } from 'vitest/node'
import type { ClusterInfo } from './lib/cluster/cluster.ts'
import { startClusterFromEnv } from './lib/cluster/from-env.ts'
import { ConfigError } from './lib/config/options.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterInfo
  }
}

const log = (message: string) => console.log(`[cluster] ${message}`)

/**
 * A bad JEPSEN_* value ends the run before anything is provisioned with the one message
 * `jepsen-tikv test` prints for it, and its exit code (3), rather than as a test-runner crash.
 */
async function startOrExplain() {
  try {
    return await startClusterFromEnv(process.env, log)
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    console.error(e.message)
    process.exit(3)
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { config, cluster } = await startOrExplain()
  project.provide('cluster', cluster.info)

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= cluster.stop()
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping cluster ${cluster.info.runId}`)
    stop()
      .catch((err: Error) => log(err.message))
      .finally(() => {
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
        process.kill(process.pid, signal)
      })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  project.onTestsRerun(() => log(`rerun: reusing cluster ${cluster.info.runId}`))

  return async () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (config.leaveDbRunning) {
      log(
        `JEPSEN_LEAVE_DB_RUNNING: leaving cluster ${cluster.info.runId} running (${cluster.info.nodes.map((n) => `${n.name}=${n.ip}`).join(' ')})`,
      )
      await Promise.all([...cluster.remotes.values()].map((r) => r.close()))
      return
    }
    await stop()
  }
}
