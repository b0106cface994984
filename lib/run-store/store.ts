// The on-disk store of runs (DESIGN §5): store/<test-name>/<YYYYMMDDTHHMMSS.mmm>/ holding
// history.jsonl (streamed), test.json (options, nodes, versions, seed), results.json (every
// checker's output), report.html, jepsen.log and nodes/<node>/ logs; store/latest points at the
// newest run (a relative symlink, replaced atomically). A run reserves its results.json when it
// starts, with an "unknown" verdict: a run that dies says so, and a run that fills the disk can
// still overwrite it in place (no new blocks needed) with why its verdict is unknown.
import {
  appendFileSync,
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join, relative } from 'node:path'
import type { CheckResult, Validity } from '../../checker/result.ts'
import { DEFAULT_STORE } from '../config/paths.ts'

/** What test.json records about a run. */
export interface TestRecord {
  name: string
  workload: string
  nemesis: string[]
  db: string
  seed: number
  startedAt: string
  /** Every option the run used, after validation. */
  options: Record<string, unknown>
  nodes: string[]
  versions?: Record<string, string>
}

/** What results.json records: the overall verdict and each checker's full output. */
export interface RunResults {
  valid: Validity
  checkers: Record<string, CheckResult>
}

export interface RunSummary {
  dir: string
  name: string
  timestamp: string
  test?: TestRecord
  valid?: Validity
}

function timestamp(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}T${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** Bytes reserved for results.json at the start of a run (whitespace after the JSON pads it). */
const RESERVED_RESULTS_BYTES = 4096

/** A verdict of "unknown" that no checker gave: the run did not get as far as checking. */
export function uncheckedResults(checker: string, explanation: string): RunResults {
  return { valid: 'unknown', checkers: { [checker]: { checker, valid: 'unknown', explanation } } }
}

/** One run's directory and the files in it. */
export class Run {
  private logFailed = false

  constructor(readonly dir: string) {}
  get historyPath() {
    return join(this.dir, 'history.jsonl')
  }
  get testPath() {
    return join(this.dir, 'test.json')
  }
  get resultsPath() {
    return join(this.dir, 'results.json')
  }
  get reportPath() {
    return join(this.dir, 'report.html')
  }
  get logPath() {
    return join(this.dir, 'jepsen.log')
  }
  nodeDir(node: string): string {
    const d = join(this.dir, 'nodes', node)
    mkdirSync(d, { recursive: true })
    return d
  }
  writeTest(t: TestRecord): void {
    writeFileSync(this.testPath, `${JSON.stringify(t, null, 2)}\n`)
  }
  /** Replaces results.json atomically: if the new one cannot be written, the old one stays whole. */
  writeResults(r: RunResults): void {
    const tmp = `${this.resultsPath}.tmp`
    try {
      writeFileSync(tmp, `${JSON.stringify(r, null, 2)}\n`)
      renameSync(tmp, this.resultsPath)
    } finally {
      rmSync(tmp, { force: true })
    }
  }
  /** Writes an "unknown: the run has not finished" results.json, padded to reserve its space. */
  reserveResults(): void {
    const r = uncheckedResults('run', 'the run has not finished (or its harness died): no checker ran')
    writeFileSync(this.resultsPath, `${JSON.stringify(r, null, 2)}\n`.padEnd(RESERVED_RESULTS_BYTES, ' '))
  }
  /**
   * Overwrites results.json in place (no truncation first, so a full disk that left room for the
   * reserved file still takes a result that fits in it).
   */
  writeResultsInPlace(r: RunResults): void {
    const text = Buffer.from(`${JSON.stringify(r, null, 2)}\n`)
    const fd = openSync(this.resultsPath, existsSync(this.resultsPath) ? 'r+' : 'w')
    try {
      for (let done = 0; done < text.length; ) done += writeSync(fd, text, done, text.length - done, done)
      ftruncateSync(fd, text.length)
    } finally {
      closeSync(fd)
    }
  }
  readTest(): TestRecord | undefined {
    return readJson(this.testPath) as TestRecord | undefined
  }
  readResults(): RunResults | undefined {
    return readJson(this.resultsPath) as RunResults | undefined
  }
  /**
   * Appends a timestamped line to jepsen.log. A line that cannot be written (a full disk) is
   * dropped, with one warning on stderr, so logging never stops the run or its cleanup.
   */
  log(line: string): void {
    try {
      appendFileSync(this.logPath, `${new Date().toISOString()} ${line}\n`)
    } catch (e) {
      if (!this.logFailed)
        console.error(`${this.logPath}: cannot append (${(e as Error).message}); lines are dropped`)
      this.logFailed = true
    }
  }
}

function readJson(path: string): unknown {
  if (!existsSync(path)) return undefined
  return JSON.parse(readFileSync(path, 'utf8'))
}

/** Creates store/<name>/<timestamp>/ and points store/latest at it. */
export function createRun(name: string, root = DEFAULT_STORE): Run {
  if (!SAFE_NAME.test(name)) throw new Error(`test name ${JSON.stringify(name)} must match ${SAFE_NAME}`)
  let dir = join(root, name, timestamp())
  while (existsSync(dir)) dir = join(root, name, timestamp(new Date(Date.now() + 1)))
  mkdirSync(dir, { recursive: true })
  const tmp = join(root, `.latest-${process.pid}`)
  rmSync(tmp, { force: true })
  symlinkSync(relative(root, dir), tmp)
  renameSync(tmp, join(root, 'latest'))
  return new Run(dir)
}

/** Every run under the store, newest first. */
export function listRuns(root = DEFAULT_STORE): RunSummary[] {
  if (!existsSync(root)) return []
  const out: RunSummary[] = []
  for (const name of readdirSync(root)) {
    if (name === 'latest' || name.startsWith('.')) continue
    const testDir = join(root, name)
    if (!statSync(testDir).isDirectory()) continue
    for (const ts of readdirSync(testDir)) {
      const run = new Run(join(testDir, ts))
      let test: TestRecord | undefined
      let valid: Validity | undefined
      try {
        test = run.readTest()
        valid = run.readResults()?.valid
      } catch {
        // A run cut short may have a torn JSON file; list it without details.
      }
      out.push({ dir: run.dir, name, timestamp: ts, test, valid })
    }
  }
  return out.sort((a, b) => b.timestamp.localeCompare(a.timestamp))
}
