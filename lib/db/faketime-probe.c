/* What a process sees of its clocks under libfaketime (lib/db/faketime.test.ts compiles and runs
 * it under faketime.ts's environment). Each time a line arrives on stdin (and once at start) it
 * prints one line:
 *   realtime=<libc minus kernel CLOCK_REALTIME, s> monotonic=<the same for CLOCK_MONOTONIC, s>
 *   wait=<seconds a 200 ms timed wait really took>
 * The wait is done as Rust's std and CPython do it: an absolute CLOCK_MONOTONIC deadline taken
 * from libc's clock_gettime, handed to the kernel (FUTEX_WAIT_BITSET); a faked monotonic clock
 * makes it wrong. With argument "nowait" it skips the wait (it could sleep for decades). */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double kernel(clockid_t c) {
  struct timespec ts;
  syscall(SYS_clock_gettime, c, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double faked(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double timed_wait(void) {
  static uint32_t word = 0;
  struct timespec deadline;
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  deadline.tv_nsec += 200000000L;
  if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec += 1; deadline.tv_nsec -= 1000000000L; }
  double start = kernel(CLOCK_MONOTONIC);
  syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
  return kernel(CLOCK_MONOTONIC) - start;
}

int main(int argc, char **argv) {
  int wait = !(argc > 1 && strcmp(argv[1], "nowait") == 0);
  char line[64];
  do {
    printf("realtime=%.3f monotonic=%.3f wait=%.3f\n", faked(CLOCK_REALTIME) - kernel(CLOCK_REALTIME),
           faked(CLOCK_MONOTONIC) - kernel(CLOCK_MONOTONIC), wait ? timed_wait() : 0.0);
    fflush(stdout);
  } while (fgets(line, sizeof line, stdin));
  return 0;
}
