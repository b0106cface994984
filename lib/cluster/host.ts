// Commands and process facts on the control host (the machine running the harness).
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'

export class HostCommandError extends Error {}

/** Run a program on the control host; throws HostCommandError with its stderr on failure. */
export function run(
  program: string,
  args: readonly string[],
  opts: { check?: boolean; input?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      if (code !== 0 && opts.check !== false) {
        reject(
          new HostCommandError(
            `\`${[program, ...args].join(' ')}\` exited ${code}: ${stderr.trim() || err?.message}`,
          ),
        )
      } else resolve({ code, stdout, stderr })
    })
    if (opts.input !== undefined) child.stdin?.end(opts.input)
  })
}

/** Start time of a process (clock ticks since boot), to tell it apart from a later one reusing its pid. */
export function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) start at field 3; starttime is field 22.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19])
  } catch {
    return undefined
  }
}

export interface ProcessRef {
  pid: number
  start: number
}

export function processRef(pid: number): ProcessRef {
  const start = processStart(pid)
  if (start === undefined) throw new Error(`process ${pid} is not running`)
  return { pid, start }
}

/** Is this exact process (pid and start time) still alive (and not a zombie)? */
export function alive(ref: ProcessRef): boolean {
  if (processStart(ref.pid) !== ref.start) return false
  try {
    const stat = readFileSync(`/proc/${ref.pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${what} needs root (it creates network namespaces, a bridge and veths); run as root, or use JEPSEN_PROVIDER=ssh with existing hosts`,
    )
  }
}
