// The run store's safety for runs that do not finish: results.json is reserved with an
// "unknown" verdict when a run starts, overwritten in place when the disk is full (a verdict
// that does not fit leaves it whole), and a
// jepsen.log line that cannot be written is dropped instead of stopping the run.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test, vi } from 'vitest'
import { createRun, listRuns, uncheckedResults } from './store.ts'

const root = mkdtempSync(join(tmpdir(), 'jepsen-store-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

test('a reserved results.json says unknown until the run writes its verdict', () => {
  const run = createRun('reserved', root)
  run.reserveResults()
  expect(statSync(run.resultsPath).size).toBe(4096)
  expect(run.readResults()).toEqual(
    uncheckedResults('run', 'the run has not finished (or its harness died): no checker ran'),
  )
  expect(listRuns(root).find((r) => r.dir === run.dir)?.valid).toBe('unknown')
  const verdict = uncheckedResults('history', 'writing the history failed')
  run.writeResultsInPlace(verdict)
  expect(run.readResults()).toEqual(verdict)
  expect(readFileSync(run.resultsPath, 'utf8')).toBe(`${JSON.stringify(verdict, null, 2)}\n`)
})

describe.skipIf(process.getuid?.() !== 0)('on a full file system (a tmpfs; needs root)', () => {
  test('the reserved results.json takes the verdict in place; log lines are dropped with one warning', () => {
    const mnt = mkdtempSync(join(tmpdir(), 'jt-store-full-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'jtstore', mnt])
    const warn = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const run = createRun('full', mnt)
      run.reserveResults()
      try {
        writeFileSync(join(mnt, 'filler'), Buffer.alloc(1 << 20))
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC')
      }
      run.log('a line that does not fit')
      run.log('nor does this one')
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0][0])).toMatch(/jepsen\.log: cannot append \(ENOSPC/)
      // A full verdict that does not fit leaves the reserved one whole (no torn results.json).
      const big = uncheckedResults('linearizable', 'x'.repeat(100_000))
      expect(() => run.writeResults(big)).toThrow(/ENOSPC/)
      expect(run.readResults()?.checkers.run).toBeDefined()
      const verdict = uncheckedResults('history', 'writing the history failed: ENOSPC')
      run.writeResultsInPlace(verdict)
      expect(run.readResults()).toEqual(verdict)
    } finally {
      warn.mockRestore()
      execFileSync('umount', [mnt])
      rmSync(mnt, { recursive: true })
    }
  })
})
