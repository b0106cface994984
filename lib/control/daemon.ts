// Daemons on a node, tracked by pidfile (never by a broad pkill): start in the background with
// setsid (detached from the ssh session, output appended to a log), signal, and stop with
// SIGTERM then SIGKILL. The commands run on the node, inside its own PID namespace.
import type { Remote } from './remote.ts'
import { commandLine, quote } from './shell.ts'

export interface DaemonSpec {
  /** Executable and arguments. */
  command: readonly string[]
  pidfile: string
  logFile: string
  /** Working directory (default /). */
  chdir?: string
  env?: Record<string, string>
}

/**
 * Start a daemon unless the pidfile names a live process already. Resolves with its pid.
 * The shell writes its own pid and then execs the program, so the pid is the program's.
 */
export async function startDaemon(remote: Remote, spec: DaemonSpec): Promise<number> {
  const pidfile = quote(spec.pidfile)
  const inner = `echo $$ > ${pidfile}; exec ${commandLine(spec.command)}`
  const script = [
    `if [ -f ${pidfile} ] && kill -0 "$(cat ${pidfile})" 2>/dev/null; then cat ${pidfile}; exit 0; fi`,
    `cd ${quote(spec.chdir ?? '/')}`,
    `setsid sh -c ${quote(inner)} >>${quote(spec.logFile)} 2>&1 </dev/null &`,
    // Wait until the child has written its pid (it is near-immediate).
    `for i in $(seq 100); do [ -s ${pidfile} ] && break; sleep 0.02; done`,
    `cat ${pidfile}`,
  ].join('\n')
  const { stdout } = await remote.exec(script, { env: spec.env, sudo: true })
  const pid = Number(stdout.trim())
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new Error(`on ${remote.node.name}: ${spec.command[0]} did not write its pidfile ${spec.pidfile}`)
  }
  return pid
}

/** Send a signal to the daemon of a pidfile. Resolves false if it is not running. */
export async function signalDaemon(remote: Remote, pidfile: string, signal: string): Promise<boolean> {
  const p = quote(pidfile)
  const { code } = await remote.exec(`[ -f ${p} ] && kill -s ${quote(signal)} "$(cat ${p})" 2>/dev/null`, {
    check: false,
    sudo: true,
  })
  return code === 0
}

/** Is the daemon of a pidfile alive? */
export async function daemonRunning(remote: Remote, pidfile: string): Promise<boolean> {
  return signalDaemon(remote, pidfile, '0')
}

/**
 * Stop the daemon of a pidfile: `signal` (default TERM), then KILL after `graceMs`; remove the
 * pidfile. A missing pidfile or dead process is not an error.
 */
export async function stopDaemon(
  remote: Remote,
  pidfile: string,
  opts: { signal?: string; graceMs?: number } = {},
): Promise<void> {
  const p = quote(pidfile)
  const steps = Math.max(1, Math.ceil((opts.graceMs ?? 5_000) / 50))
  const script = [
    `[ -f ${p} ] || exit 0`,
    `pid=$(cat ${p})`,
    `if kill -s ${quote(opts.signal ?? 'TERM')} "$pid" 2>/dev/null; then`,
    `  for i in $(seq ${steps}); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done`,
    `  kill -s KILL "$pid" 2>/dev/null`,
    `fi`,
    `rm -f ${p}`,
  ].join('\n')
  await remote.exec(script, { sudo: true })
}
