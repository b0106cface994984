// How a DB process is run under libfaketime so the clock nemesis (nemesis/clock.ts) can move its
// wall clock: LD_PRELOAD of the library, FAKETIME_TIMESTAMP_FILE naming a file that holds the
// offset ("+12", "-7"), re-read on every call (FAKETIME_NO_CACHE) so a new offset applies at once;
// the node-side commands that strobe and reset that file; and a check that a running process
// really has the library loaded.
//
// Only the wall clock (CLOCK_REALTIME*) is moved: FAKETIME_DONT_FAKE_MONOTONIC=1 keeps the
// monotonic clocks real, as an NTP step or `date -s` (Jepsen's clock nemesis) would. Without it,
// libfaketime 0.9.10 with a relative offset file returns the *wall* time from
// clock_gettime(CLOCK_MONOTONIC) (seen: monotonic 1.8e9 s ahead of the kernel's). Timed waits
// that compute an absolute monotonic deadline in user space and hand it to the kernel (Rust std's
// futex-based Condvar and thread parking, CPython's locks) then sleep for decades: tikv-server
// logged "ready to serve" and never answered, so a five-node cluster never became ready.
// lib/db/faketime.test.ts runs a probe under this environment to keep that true.
import { quote } from '../control/shell.ts'

/** Where Debian's libfaketime package puts the library on the control host. */
export const DEFAULT_LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1'

/** The environment that puts a process under libfaketime with its offset read from `offsetFile`. */
export function faketimeEnv(library: string, offsetFile: string): Record<string, string> {
  return {
    LD_PRELOAD: library,
    FAKETIME_TIMESTAMP_FILE: offsetFile,
    FAKETIME_NO_CACHE: '1',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  }
}

/** A process started under faketimeEnv on a node, as the clock nemesis sees it. */
export interface FaketimeProcess {
  /** FAKETIME_TIMESTAMP_FILE: the nemesis writes offsets here. */
  offsetFile: string
  /** The preloaded library, on the node. */
  library: string
  /** The process's pidfile, to check that the library really is in it. */
  pidfile: string
}

/**
 * A shell command that fails, naming the pid, when the pidfile's running process does not have
 * the library mapped (an offset written to the file would not reach it). A process that is not
 * running (another fault killed it) passes: it is started under libfaketime again.
 */
export function faketimeLoadedCommand(p: FaketimeProcess): string {
  const lib = quote(p.library)
  return [
    `pid=$(cat ${quote(p.pidfile)} 2>/dev/null) && [ -d "/proc/$pid" ] || exit 0`,
    `grep -qF ${lib} "/proc/$pid/maps" && exit 0`,
    `echo "pid $pid ($(cat "/proc/$pid/comm")) does not have "${lib}" loaded" >&2`,
    'exit 1',
  ].join('\n')
}

/** Pidfile of the strobe loop that flips `offsetFile`. */
export const strobePidfile = (offsetFile: string) => `${offsetFile}.strobe.pid`

/**
 * A detached shell loop that flips the file between `offset` and zero every `period` seconds,
 * with its pid in strobePidfile(file), until resetCommand stops it.
 */
export function strobeCommand(file: string, offset: string, period: number): string {
  const loop = `while :; do echo ${offset} > ${quote(file)}; sleep ${period}; echo +0 > ${quote(file)}; sleep ${period}; done`
  return `setsid sh -c ${quote(`echo $$ > ${quote(strobePidfile(file))}; exec sh -c ${quote(loop)}`)} >/dev/null 2>&1 </dev/null &`
}

/**
 * Stops a strobe loop (if any, also one a crashed run left behind) and resets the offset to zero
 * when the file exists (a node that never ran under libfaketime is left alone).
 */
export function resetCommand(file: string): string {
  const pid = quote(strobePidfile(file))
  return [
    `[ -f ${pid} ] && kill "$(cat ${pid})" 2>/dev/null`,
    `rm -f ${pid}`,
    `[ ! -e ${quote(file)} ] || echo +0 > ${quote(file)}`,
  ].join('; ')
}
