// How a DB process is run under libfaketime so the clock nemesis (nemesis/clock.ts) can move its
// wall clock: LD_PRELOAD of the library, FAKETIME_TIMESTAMP_FILE naming a file that holds the
// offset ("+12", "-7"), re-read on every call (FAKETIME_NO_CACHE) so a new offset applies at once.
//
// Only the wall clock (CLOCK_REALTIME*) is moved: FAKETIME_DONT_FAKE_MONOTONIC=1 keeps the
// monotonic clocks real, as an NTP step or `date -s` (Jepsen's clock nemesis) would. Without it,
// libfaketime 0.9.10 with a relative offset file returns the *wall* time from
// clock_gettime(CLOCK_MONOTONIC) (seen: monotonic 1.8e9 s ahead of the kernel's). Timed waits
// that compute an absolute monotonic deadline in user space and hand it to the kernel (Rust std's
// futex-based Condvar and thread parking, CPython's locks) then sleep for decades: tikv-server
// logged "ready to serve" and never answered, so a five-node cluster never became ready.
// lib/db/faketime.test.ts runs a probe under this environment to keep that true.

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
