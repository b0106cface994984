// Test helper: start a cluster in a child process (hold-cluster.ts), wait until it is up, then
// SIGKILL the child, leaving the run's resources behind for cleanup tests to remove.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { NodeInfo } from '../../control/remote.ts'
import type { ProviderName } from '../provider.ts'
import type { RunRecord } from '../registry.ts'

export async function crashedRun(
  stateDir: string,
  nodes = 2,
  provider: Exclude<ProviderName, 'ssh'> = 'local',
): Promise<RunRecord & { nodes: NodeInfo[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'hold-cluster.ts'), stateDir, String(nodes), provider],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`hold-cluster exited ${code} before printing its cluster`)))
  })
  const info = JSON.parse(line) as { record: RunRecord; nodes: NodeInfo[] }
  child.kill('SIGKILL')
  await new Promise((r) => child.once('exit', r))
  return { ...info.record, nodes: info.nodes }
}
