// Launcher failures must name the node and the log file; the binary path is overridable.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { clientServerBinary, missingBinaryReason, startClientServer } from './server-process.ts'

const dir = mkdtempSync(join(tmpdir(), 'jepsen-server-process-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('the binary comes from JEPSEN_CLIENT_SERVER_BIN, else CARGO_TARGET_DIR, else the repo build', () => {
  expect(clientServerBinary({ JEPSEN_CLIENT_SERVER_BIN: '/x/bin' })).toBe('/x/bin')
  expect(clientServerBinary({ CARGO_TARGET_DIR: '/cache/t' })).toBe(
    '/cache/t/release/jepsen-tikv-client-server',
  )
  expect(clientServerBinary({})).toMatch(/rust-client-server\/target\/release\/jepsen-tikv-client-server$/)
})

test('a missing binary is refused with how to build it', async () => {
  const binary = join(dir, 'nope')
  expect(missingBinaryReason(binary)).toContain('npm run build:server')
  await expect(
    startClientServer({
      node: 'n7',
      backend: 'etcd',
      endpoints: ['http://127.0.0.1:1'],
      logFile: join(dir, 'a.log'),
      binary,
    }),
  ).rejects.toThrow(/node n7 .*a\.log.*nope is missing/)
})

const missing = missingBinaryReason()
describe.skipIf(missing !== undefined)(
  `with the built binary${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    test('a server that exits before listening is reported with its exit code and log', async () => {
      const logFile = join(dir, 'bad-args.log')
      await expect(
        startClientServer({
          node: 'n2',
          backend: 'etcd',
          endpoints: ['x'],
          logFile,
          extraArgs: ['--bogus', '1'],
        }),
      ).rejects.toThrow(/node n2 \(log: .*bad-args\.log\) exited \(code 2/)
      expect(readFileSync(logFile, 'utf8')).toContain('unknown option "--bogus"')
    })

    test('a backend that never answers fails readiness naming the node, the log and the cause', async () => {
      const logFile = join(dir, 'unready.log')
      await expect(
        startClientServer({
          node: 'n3',
          backend: 'etcd',
          endpoints: ['http://127.0.0.1:1'],
          logFile,
          readyTimeoutMs: 1_000,
          probeTimeoutMs: 500,
        }),
      ).rejects.toThrow(
        /node n3 \(log: .*unready\.log\) at 127\.0\.0\.1:\d+ not ready after 1000 ms: .*(refused|Unavailable|DEADLINE)/,
      )
    })

    test('with --exit-with-stdin the server exits when its stdin closes (as when the harness dies)', async () => {
      const child = spawn(
        clientServerBinary(),
        ['--backend', 'etcd', '--endpoints', 'http://127.0.0.1:1', '--exit-with-stdin'],
        { stdio: ['pipe', 'pipe', 'ignore'] },
      )
      const [firstLine] = (await once(child.stdout!, 'data')) as [Buffer]
      expect(firstLine.toString()).toMatch(/^LISTENING 127\.0\.0\.1:\d+/)
      const exited = once(child, 'exit')
      child.stdin!.end()
      expect(await exited).toEqual([0, null])
    })
  },
)
