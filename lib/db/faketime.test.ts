// faketime.ts's environment on a real libfaketime: a compiled probe (faketime-probe.c) checks
// that only the wall clock follows the offset file, at once, and that timed waits keep their
// length; and faketimeLoadedCommand tells a preloaded process from a plain one. Needs Debian's libfaketime and a C compiler (scripts/setup.sh installs both).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  DEFAULT_LIBFAKETIME,
  faketimeEnv,
  faketimeLoadedCommand,
  resetCommand,
  strobeCommand,
  strobePidfile,
} from './faketime.ts'

const PROBE_SOURCE = fileURLToPath(new URL('./faketime-probe.c', import.meta.url))
const hasCc = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

interface Seen {
  realtime: number
  monotonic: number
  wait: number
}

/** Runs the probe under `env`; `between[i]` runs before asking for line i + 1. */
async function probe(
  bin: string,
  env: Record<string, string>,
  between: (() => Promise<void>)[] = [],
  args: string[] = [],
) {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  const seen: Seen[] = []
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const m = /^realtime=(\S+) monotonic=(\S+) wait=(\S+)$/.exec(line)
      if (!m) throw new Error(`faketime probe printed ${JSON.stringify(line)}`)
      seen.push({ realtime: Number(m[1]), monotonic: Number(m[2]), wait: Number(m[3]) })
      const next = between[seen.length - 1]
      if (!next) break
      await next()
      child.stdin.write('\n')
    }
  } finally {
    clearTimeout(timer)
    child.stdin.end()
    child.kill()
  }
  return seen
}

describe.skipIf(!existsSync(DEFAULT_LIBFAKETIME) || !hasCc)(
  'a process under faketimeEnv (real libfaketime)',
  () => {
    let dir: string
    let bin: string
    let offsetFile: string
    const setOffset = (spec: string) => writeFile(offsetFile, `${spec}\n`)

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'faketime-'))
      bin = join(dir, 'probe')
      offsetFile = join(dir, 'offset')
      execFileSync('cc', ['-O1', '-o', bin, PROBE_SOURCE])
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    test('moves only the wall clock, by the offset in the file, and picks a new offset up at once', async () => {
      await setOffset('+0')
      const seen = await probe(bin, faketimeEnv(DEFAULT_LIBFAKETIME, offsetFile), [
        () => setOffset('+30'),
        () => setOffset('-45'),
      ])
      expect(seen.map((s) => Math.round(s.realtime) + 0)).toEqual([0, 30, -45]) // + 0: no -0
      for (const s of seen) expect(Math.abs(s.monotonic)).toBeLessThan(0.05)
    })

    test('keeps timed waits on the monotonic clock their real length, whatever the offset', async () => {
      await setOffset('-600')
      const seen = await probe(bin, faketimeEnv(DEFAULT_LIBFAKETIME, offsetFile), [() => setOffset('+600')])
      expect(seen).toHaveLength(2)
      for (const s of seen) {
        expect(s.wait).toBeGreaterThanOrEqual(0.19)
        expect(s.wait).toBeLessThan(1)
      }
    })

    test('the probe sees the fault it guards against: without FAKETIME_DONT_FAKE_MONOTONIC the monotonic clock is faked', async () => {
      await setOffset('+0')
      const { FAKETIME_DONT_FAKE_MONOTONIC: _, ...faked } = faketimeEnv(DEFAULT_LIBFAKETIME, offsetFile)
      // Debian 12's libfaketime 0.9.10 returns the wall time; a timed wait from it would not end.
      const [s] = await probe(bin, faked, [], ['nowait'])
      expect(Math.abs(s!.monotonic)).toBeGreaterThan(1)
    })

    test('faketimeLoadedCommand passes a preloaded process and one not running, and names a process without the library', async () => {
      const pidfile = join(dir, 'probe.pid')
      const target = { offsetFile, library: DEFAULT_LIBFAKETIME, pidfile }
      const check = async (pid?: number) => {
        if (pid === undefined) await rm(pidfile, { force: true })
        else await writeFile(pidfile, `${pid}\n`)
        return new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const sh = spawn('sh', ['-c', faketimeLoadedCommand(target)], {
            stdio: ['ignore', 'ignore', 'pipe'],
          })
          let stderr = ''
          sh.stderr.on('data', (d) => (stderr += d))
          sh.on('close', (code) => resolve({ code, stderr }))
        })
      }
      await setOffset('+0')
      const preloaded = spawn(bin, [], {
        env: { ...process.env, ...faketimeEnv(DEFAULT_LIBFAKETIME, offsetFile) },
      })
      const plain = spawn(bin, [])
      try {
        await Promise.all([preloaded, plain].map((p) => new Promise((r) => p.stdout!.once('data', r))))
        expect(await check(preloaded.pid)).toEqual({ code: 0, stderr: '' })
        expect(await check()).toEqual({ code: 0, stderr: '' })
        expect(await check(2 ** 22 + 1)).toEqual({ code: 0, stderr: '' }) // no such process
        expect(await check(plain.pid)).toEqual({
          code: 1,
          stderr: `pid ${plain.pid} (probe) does not have ${DEFAULT_LIBFAKETIME} loaded\n`,
        })
      } finally {
        preloaded.kill()
        plain.kill()
      }
    })
  },
)

describe('the offset file commands, run by sh', () => {
  const sh = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' })
  /** Running, not a zombie (the loop is reparented; its reaper may be slow). */
  const alive = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    return stat !== '' && !/^\d+ \(.*\) Z/.test(stat)
  }

  test('strobe flips the file between the offset and zero until reset stops the loop and zeroes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faketime-strobe-'))
    const file = join(dir, 'offset')
    try {
      await writeFile(file, '+0\n')
      sh(strobeCommand(file, '+20', 0.05))
      const seen = new Set<string>()
      for (let i = 0; i < 40 && seen.size < 2; i++) {
        seen.add((await readFile(file, 'utf8')).trim())
        await sleep(13)
      }
      expect([...seen].filter(Boolean).sort()).toEqual(['+0', '+20'])
      const pid = Number(await readFile(strobePidfile(file), 'utf8'))
      expect(await alive(pid)).toBe(true)
      sh(resetCommand(file))
      for (let i = 0; i < 100 && (await alive(pid)); i++) await sleep(20)
      expect(await alive(pid)).toBe(false)
      expect(existsSync(strobePidfile(file))).toBe(false)
      await sleep(120) // longer than a period: nothing writes the file any more
      expect(await readFile(file, 'utf8')).toBe('+0\n')
    } finally {
      sh(resetCommand(file))
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('reset leaves a node that never ran under libfaketime alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faketime-none-'))
    try {
      sh(resetCommand(join(dir, 'offset')))
      expect(existsSync(join(dir, 'offset'))).toBe(false)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
