// The run registry: one JSON file per run (<stateDir>/runs/<runId>/run.json) listing its owner
// process and every resource it created, written BEFORE each resource is created. Setup removes
// the resources of runs whose owner is dead; teardown() removes those of every run.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { alive, type ProcessRef, processRef } from './host.ts'

export const DEFAULT_STATE_DIR = '/var/lib/jepsen-tikv'

export interface RunRecord {
  runId: string
  provider: string
  /** Short hash of the run id used in interface names. */
  tag: string
  owner: ProcessRef
  createdAt: string
  /** Host processes of the run (e.g. each node's `unshare`), killed on cleanup. */
  processes: ProcessRef[]
  netns: string[]
  /** Interfaces on the host (bridge, host ends of veths). */
  links: string[]
  containers: { name: string; lxcPath: string }[]
  /** Files and directories on the host removed on cleanup (the run dir, subnet claim, ...). */
  paths: string[]
}

export function runDir(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId)
}

function recordPath(stateDir: string, runId: string): string {
  return join(runDir(stateDir, runId), 'run.json')
}

/** The record of one run, kept on disk after every change. */
export class RunRegistration {
  private saving: Promise<void> = Promise.resolve()

  private constructor(
    readonly stateDir: string,
    readonly record: RunRecord,
  ) {}

  static async create(
    stateDir: string,
    runId: string,
    provider: string,
    tag: string,
  ): Promise<RunRegistration> {
    const dir = runDir(stateDir, runId)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const reg = new RunRegistration(stateDir, {
      runId,
      provider,
      tag,
      owner: processRef(process.pid),
      createdAt: new Date().toISOString(),
      processes: [],
      netns: [],
      links: [],
      containers: [],
      paths: [dir],
    })
    await reg.save()
    return reg
  }

  /** Record resources (call before creating them, so a crash in between still leaves a trace). */
  add(change: (record: RunRecord) => void): Promise<void> {
    change(this.record)
    // Saves run one after another, so concurrent adds never interleave their writes.
    this.saving = this.saving.catch(() => {}).then(() => this.save())
    return this.saving
  }

  private async save(): Promise<void> {
    const path = recordPath(this.stateDir, this.record.runId)
    await writeFile(`${path}.tmp`, `${JSON.stringify(this.record, null, 2)}\n`)
    await rename(`${path}.tmp`, path)
  }
}

/** Every run record under the state dir (unreadable ones are reported as broken, with their dir). */
export async function listRuns(stateDir: string): Promise<{ records: RunRecord[]; broken: string[] }> {
  const root = join(stateDir, 'runs')
  const names = await readdir(root).catch(() => [] as string[])
  const records: RunRecord[] = []
  const broken: string[] = []
  for (const name of names) {
    try {
      records.push(JSON.parse(await readFile(recordPath(stateDir, name), 'utf8')) as RunRecord)
    } catch {
      broken.push(join(root, name))
    }
  }
  return { records, broken }
}

export function ownerAlive(record: RunRecord): boolean {
  return alive(record.owner)
}

export async function removeRecordDir(stateDir: string, runId: string): Promise<void> {
  await rm(runDir(stateDir, runId), { recursive: true, force: true })
}
