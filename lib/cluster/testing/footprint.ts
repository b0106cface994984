// Test helper: everything of one run still visible on the host (namespaces, interfaces,
// processes, mounts, files), so cluster tests can check that cleanup left nothing behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { alive, type ProcessRef, run } from '../host.ts'
import { resourceNames } from '../naming.ts'
import type { RunRecord } from '../registry.ts'
import { runDir } from '../registry.ts'

export interface Footprint {
  netns: string[]
  links: string[]
  processes: string[]
  mounts: string[]
  paths: string[]
}

/** Host pids of every process in the run's network namespaces (to check they die later). */
export async function processesOf(record: RunRecord): Promise<ProcessRef[]> {
  const refs: ProcessRef[] = [...record.processes]
  for (const ns of record.netns) {
    const { stdout } = await run('ip', ['netns', 'pids', ns], { check: false })
    for (const pid of stdout.split(/\s+/).filter(Boolean).map(Number)) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      refs.push({ pid, start: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) })
    }
  }
  return refs
}

export async function footprint(stateDir: string, record: RunRecord, pids: ProcessRef[]): Promise<Footprint> {
  const { tag } = resourceNames(record.runId)
  const dir = runDir(stateDir, record.runId)
  const ns = await run('ip', ['netns', 'list'])
  const links = await run('ip', ['-o', 'link', 'show'])
  const cmdlines = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')
        return cmd.includes(dir) ? [`${p}: ${cmd}`] : []
      } catch {
        return []
      }
    })
  return {
    netns: ns.stdout.split('\n').filter((l) => l.includes(tag)),
    links: links.stdout
      .split('\n')
      .filter((l) => l.includes(tag))
      .map((l) => l.split(':')[1].trim()),
    processes: [...pids.filter(alive).map((p) => `pid ${p.pid}`), ...cmdlines],
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l.includes(dir) || l.includes(`jt${tag}`)),
    paths: record.paths.filter((p) => existsSync(p)),
  }
}

export const EMPTY: Footprint = { netns: [], links: [], processes: [], mounts: [], paths: [] }
