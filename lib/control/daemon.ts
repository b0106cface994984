// Pidfile-based process control on a node (DESIGN §6/§7), the one home for daemons: start a
// daemon with start-stop-daemon, signal it, ask whether it is alive. Nothing here matches processes by
// name, so a node's signals can only reach the process its pidfile names (and only when that
// process still runs the expected binary).
import { basename } from 'node:path'
import type { Remote } from './remote.ts'
import { commandLine, quote } from './shell.ts'

export interface DaemonSpec {
  /** Absolute path of the binary on the node. */
  exec: string
  args: string[]
  pidfile: string
  /** Working directory of the daemon. */
  chdir: string
  /** File that receives the daemon's stdout and stderr (appended). */
  stdout: string
  /** Environment set for the daemon, e.g. a per-node TMPDIR. */
  env?: Record<string, string>
  /**
   * Open-files limit raised before the start (TiKV needs many). Where the hard limit is lower
   * (containers without CAP_SYS_RESOURCE), the soft limit is raised to the hard limit instead,
   * and the daemon itself reports whether that is enough.
   */
  openFiles?: number
}

/** Starts the daemon in the background; a no-op when the pidfile names a live process. */
export function startCommand(d: DaemonSpec): string {
  const env = Object.entries(d.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`)
  const ssd = commandLine([
    'start-stop-daemon',
    '--start',
    '--oknodo',
    '--background',
    '--no-close',
    '--make-pidfile',
    '--pidfile',
    d.pidfile,
    '--chdir',
    d.chdir,
    '--exec',
    d.exec,
    '--',
    ...d.args,
  ])
  const run = `${env.length ? `env ${env.join(' ')} ` : ''}${ssd} >>${quote(d.stdout)} 2>&1 </dev/null`
  return d.openFiles === undefined
    ? run
    : `{ ulimit -n ${d.openFiles} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; } && ${run}`
}

export type Signal = 'KILL' | 'STOP' | 'CONT' | 'TERM'

/**
 * Selects the pidfile's process only if its name (comm, at most 15 chars) is the binary's:
 * unlike --exec this needs no binary on disk, so it also works on a node never installed.
 */
function match(d: Pick<DaemonSpec, 'exec' | 'pidfile'>): string[] {
  return ['--pidfile', d.pidfile, '--name', basename(d.exec).slice(0, 15)]
}

/**
 * Sends a signal to the pidfile's process; a no-op when it is not running. KILL waits up to
 * 10 s for the process to be gone and removes the pidfile.
 */
export function signalCommand(d: Pick<DaemonSpec, 'exec' | 'pidfile'>, signal: Signal): string {
  const base = ['start-stop-daemon', '--stop', '--oknodo', '--quiet', ...match(d)]
  if (signal === 'KILL') return commandLine([...base, '--retry', 'KILL/10', '--remove-pidfile'])
  return commandLine([...base, '--signal', signal])
}

/** Exits 0 when the pidfile names a live process of the binary (start-stop-daemon --status). */
export function statusCommand(d: Pick<DaemonSpec, 'exec' | 'pidfile'>): string {
  return commandLine(['start-stop-daemon', '--status', ...match(d)])
}

export async function isAlive(remote: Remote, d: Pick<DaemonSpec, 'exec' | 'pidfile'>): Promise<boolean> {
  const r = await remote.exec(statusCommand(d), { check: false, sudo: true })
  return r.code === 0
}

/** Last lines of a file on the node ('' when it does not exist), for error messages. */
export async function tail(remote: Remote, path: string, lines = 30): Promise<string> {
  const r = await remote.exec(`tail -n ${lines} ${quote(path)} 2>/dev/null`, { check: false, sudo: true })
  return r.stdout
}
