// Removal of what cluster runs left behind: the resources of one run record, those of every run
// whose owner process died (at each setup), and everything of this project (`teardown()`).
// teardown() also sweeps interfaces, namespaces and containers named like ours whose run record
// is lost.
import { readdir, rm, rmdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { alive, run } from './host.ts'
import { imagePaths } from './lxc-image.ts'
import { tagOf } from './naming.ts'
import { DEFAULT_STATE_DIR, listRuns, ownerAlive, type RunRecord, removeRecordDir } from './registry.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function netnsPids(ns: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', ns], { check: false })
  return stdout.split(/\s+/).filter(Boolean).map(Number)
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** Kill every process of the run (recorded ones and any left in its namespaces) and wait. */
async function killProcesses(record: RunRecord): Promise<void> {
  const recorded = record.processes.filter(alive)
  for (const p of recorded) kill(p.pid)
  const inNetns = (await Promise.all(record.netns.map(netnsPids))).flat()
  for (const pid of inNetns) kill(pid)
  for (let i = 0; i < 100 && recorded.some(alive); i++) await sleep(20)
}

/** For steps that must all be tried: each failure becomes "<what>: <message>" in `problems`. */
export function problemCollector() {
  const problems: string[] = []
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn()
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`)
    }
  }
  return { problems, attempt }
}

/** Remove every resource listed in a run record. Errors are collected, not thrown. */
async function removeResources(record: RunRecord): Promise<string[]> {
  const { problems, attempt } = problemCollector()
  await attempt('kill processes', () => killProcesses(record))
  await Promise.all(
    record.containers.map((c) =>
      attempt(`container ${c.name}`, async () => {
        await run('lxc-stop', ['-P', c.lxcPath, '-n', c.name, '-k'], { check: false })
        const { code, stderr } = await run('lxc-destroy', ['-P', c.lxcPath, '-n', c.name], { check: false })
        if (code !== 0 && !/does not exist|not defined/i.test(stderr)) throw new Error(stderr.trim())
      }),
    ),
  )
  await Promise.all(record.netns.map((ns) => attempt(`netns ${ns}`, () => deleteNetns(ns))))
  // Host ends of veths first (deleting one deletes its peer), bridges last.
  const links = [...record.links].sort((a, b) => Number(a.endsWith('br')) - Number(b.endsWith('br')))
  for (const link of links) await attempt(`link ${link}`, () => deleteLink(link))
  for (const path of record.paths)
    await attempt(`path ${path}`, () => rm(path, { recursive: true, force: true }))
  if (record.containers.length > 0)
    await attempt('LXC leftovers', () => removeLxcLeftovers(record.containers.map((c) => c.lxcPath)))
  return problems
}

/**
 * What LXC leaves on the host after its containers are gone: lock dirs under /run/lxc (once no
 * container of that LXC path runs) and the empty lxc.pivot cgroups
 * (once no LXC container runs on the host at all, since a stopping one's monitor moves there).
 */
async function removeLxcLeftovers(lxcPaths: string[]): Promise<void> {
  for (const lxcPath of new Set(lxcPaths)) {
    const running = await run('lxc-ls', ['-P', lxcPath, '--running'], { check: false })
    if (running.code !== 0 || running.stdout.trim() !== '') continue
    const lockDir = join('/run/lxc/lock', lxcPath)
    await rm(lockDir, { recursive: true, force: true })
    // Empty parents up to /run/lxc itself.
    for (let dir = dirname(lockDir); dir !== '/run'; dir = dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
        ))
      )
        break
    }
  }
  const root = '/sys/fs/cgroup'
  const hierarchies = [root, ...(await readdir(root)).map((h) => join(root, h))]
  const entries = await Promise.all(hierarchies.map((h) => readdir(h).catch(() => [] as string[])))
  if (entries.flat().some((e) => e.startsWith('lxc.monitor.') || e.startsWith('lxc.payload.'))) return
  for (const h of hierarchies) await rmdir(join(h, 'lxc.pivot')).catch(() => {})
}

/** Remove every resource of a run, then its record. */
export async function removeRun(stateDir: string, record: RunRecord): Promise<string[]> {
  const problems = await removeResources(record)
  await removeRecordDir(stateDir, record.runId).catch((e: Error) => problems.push(`run record: ${e.message}`))
  return problems
}

async function deleteNetns(ns: string): Promise<void> {
  const { code, stderr } = await run('ip', ['netns', 'delete', ns], { check: false })
  if (code !== 0 && !/No such file/i.test(stderr)) throw new Error(stderr.trim())
}

async function deleteLink(link: string): Promise<void> {
  const { code, stderr } = await run('ip', ['link', 'delete', link], { check: false })
  if (code !== 0 && !/Cannot find device|does not exist/i.test(stderr)) throw new Error(stderr.trim())
}

/** Namespaces and interfaces on the host named like ours, with their run tag. */
export async function ownHostResources(): Promise<{ netns: string[]; links: string[] }> {
  const ns = await run('ip', ['netns', 'list'], { check: false })
  const links = await run('ip', ['-o', 'link', 'show'], { check: false })
  return {
    netns: ns.stdout
      .split('\n')
      .map((l) => l.split(/\s+/)[0])
      .filter((n) => n && tagOf(n)),
    links: links.stdout
      .split('\n')
      .map((l) => l.split(':')[1]?.trim().split('@')[0])
      .filter((n): n is string => !!n && !!tagOf(n)),
  }
}

/** Remove namespaces/interfaces/containers named like ours whose tag is not in `keepTags`. */
async function sweep(stateDir: string, keepTags: Set<string>): Promise<string[]> {
  const found = await ownHostResources()
  const stray = (n: string) => !keepTags.has(tagOf(n) as string)
  // Containers of the lxc provider live beside the base image in the state dir's cache.
  const lxcPath = imagePaths(join(stateDir, 'cache')).lxcPath
  const containers = (await readdir(lxcPath).catch(() => [] as string[])).filter((n) => tagOf(n) && stray(n))
  return removeResources({
    runId: '',
    provider: 'sweep',
    tag: '',
    owner: { pid: 0, start: 0 },
    createdAt: '',
    processes: [],
    netns: found.netns.filter(stray),
    links: found.links.filter(stray),
    containers: containers.map((name) => ({ name, lxcPath })),
    paths: containers.map((name) => join(lxcPath, name)),
  })
}

export interface CleanupReport {
  removedRuns: string[]
  problems: string[]
}

async function cleanup(
  stateDir: string,
  keep: (r: RunRecord) => boolean,
  sweepStrays: boolean,
): Promise<CleanupReport> {
  const { records, broken } = await listRuns(stateDir)
  const removedRuns: string[] = []
  const problems: string[] = []
  for (const record of records) {
    if (keep(record)) continue
    problems.push(...(await removeRun(stateDir, record)))
    removedRuns.push(record.runId)
  }
  for (const dir of broken) await rm(dir, { recursive: true, force: true })
  if (sweepStrays) problems.push(...(await sweep(stateDir, new Set(records.filter(keep).map((r) => r.tag)))))
  await rmdir(join(stateDir, 'runs')).catch(() => {}) // only if empty
  return { removedRuns, problems }
}

/**
 * Remove leftovers of runs whose owner process is dead (done at every setup). Only registered
 * runs are touched: a run registered under another state dir may be alive.
 */
export function cleanupDeadRuns(stateDir = DEFAULT_STATE_DIR): Promise<CleanupReport> {
  return cleanup(stateDir, ownerAlive, false)
}

/**
 * Remove every cluster, namespace, bridge, veth, container, process and directory this project
 * created, running or not (the `jepsen-tikv teardown` command).
 */
export function teardown(
  stateDir = DEFAULT_STATE_DIR,
  opts: {
    /** Also remove namespaces/interfaces named like ours that no run record lists (default true). */
    sweepStrays?: boolean
  } = {},
): Promise<CleanupReport> {
  return cleanup(stateDir, () => false, opts.sweepStrays ?? true)
}
