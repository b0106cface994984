// The client-server supervisor with the real binary (its backend an etcd that is not there, so
// the servers answer Health "not ready", which must not count as a failure): a server that
// exits or hangs is replaced on a new port and the state file says so; one that cannot be
// restarted is lost after bounded attempts; nothing is restarted after stop().
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, test } from 'vitest'
import { ClientServerClient } from './client.ts'
import { ETCD_BINARY, startLocalEtcd } from './local-etcd.ts'
import { missingBinaryReason, startClientServer } from './server-process.ts'
import { ClientServerSupervisor, type SupervisorOptions } from './supervisor.ts'
import { readSupervisorState } from './supervisor-state.ts'

const dir = mkdtempSync(join(tmpdir(), 'jepsen-supervisor-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const start = (node: string) =>
  startClientServer({
    node,
    backend: 'etcd',
    endpoints: ['http://127.0.0.1:1'],
    logFile: join(dir, `${node}.log`),
    waitFor: 'server',
  })

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(what: string, probe: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

function supervisor(name: string, o: Partial<SupervisorOptions> = {}) {
  const stateFile = join(dir, `${name}.json`)
  const lines: string[] = []
  const sup = new ClientServerSupervisor({
    stateFile,
    restart: start,
    log: (m) => lines.push(m),
    probeIntervalMs: 100,
    probeTimeoutMs: 1000,
    unansweredProbes: 2,
    restartBackoffMs: 50,
    ...o,
  })
  return { sup, lines, state: () => readSupervisorState(stateFile) }
}

const missing = missingBinaryReason()
describe.skipIf(missing !== undefined)(
  `client-server supervisor${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    test('a server that exits is restarted on a new port; its backend being down is no failure', async () => {
      const { sup, lines, state } = supervisor('exit')
      const first = await start('n1')
      sup.add(first)
      try {
        await sleep(500) // five probes answered "not ready": nothing happens
        expect(state()?.events).toEqual([])
        process.kill(first.info.pid, 'SIGKILL')
        await until('the restart', () => state()?.events.length === 1)
        const s = state()!
        expect(s.events[0]).toMatchObject({
          seq: 1,
          node: 'n1',
          reason: 'exited (signal SIGKILL)',
          previous: first.info.address,
          address: s.servers[0].address,
        })
        expect(s.servers[0]).toMatchObject({ node: 'n1', original: first.info.address, restarts: 1 })
        expect(s.servers[0].address).not.toBe(first.info.address)
        const client = new ClientServerClient({ address: s.servers[0].address })
        expect(await client.health()).toMatchObject({ answered: true, backend: 'etcd' })
        client.close()
        expect(lines.join('\n')).toMatch(
          /client server for n1 at .* exited \(signal SIGKILL\); restarting it/,
        )
      } finally {
        await sup.stop()
      }
      expect(alive(state()!.servers[0].pid)).toBe(false)
    })

    test('a server that stops answering Health (SIGSTOP) is killed and replaced', async () => {
      const { sup, state } = supervisor('hang')
      const first = await start('n2')
      sup.add(first)
      try {
        process.kill(first.info.pid, 'SIGSTOP')
        await until('the restart', () => state()?.events.length === 1)
        expect(state()!.events[0].reason).toMatch(
          /^did not answer 2 health checks in a row \(1000 ms deadline each; last: grpc DEADLINE_EXCEEDED/,
        )
        await until('the hung process to be killed', () => !alive(first.info.pid))
      } finally {
        await sup.stop()
      }
    })

    test('a server that cannot be restarted is lost after bounded attempts, with the reason', async () => {
      let attempts = 0
      const { sup, lines, state } = supervisor('lost', {
        restartAttempts: 2,
        restart: async () => {
          attempts++
          throw new Error('binary vanished')
        },
      })
      const first = await start('n3')
      sup.add(first)
      try {
        process.kill(first.info.pid, 'SIGKILL')
        await until('giving up', () => state()?.servers[0].lost !== undefined)
        const error = 'client server for n3 could not be restarted after 2 attempts: binary vanished'
        expect(state()!.servers[0].lost).toBe(error)
        expect(state()!.events).toEqual([expect.objectContaining({ node: 'n3', error })])
        expect(attempts).toBe(2)
        expect(lines.filter((l) => /restart attempt \d of 2 failed: binary vanished/.test(l))).toHaveLength(2)
      } finally {
        await sup.stop()
      }
    })

    test('stop() stops every server and restarts nothing', async () => {
      const { sup, state } = supervisor('stop')
      const procs = await Promise.all(['n4', 'n5'].map(start))
      for (const p of procs) sup.add(p)
      await sup.stop()
      for (const p of procs) expect(alive(p.info.pid)).toBe(false)
      await sleep(300)
      expect(state()?.events).toEqual([])
    })

    test.skipIf(!existsSync(ETCD_BINARY))(
      'a paused backend (the server answers "not ready" after its own 2 s probe) is not taken for a hang',
      async () => {
        const etcd = await startLocalEtcd(mkdtempSync(join(dir, 'etcd-')))
        // Default probe deadline (5 s), frequent probes, replaced after 2 unanswered ones.
        const { sup, state } = supervisor('paused-backend', { probeTimeoutMs: undefined })
        try {
          const server = await startClientServer({
            node: 'n6',
            backend: 'etcd',
            endpoints: [etcd.clientUrl],
            logFile: join(dir, 'n6.log'),
          })
          sup.add(server)
          process.kill(etcd.pid, 'SIGSTOP')
          await sleep(7_000) // three probes or more, each answered "not ready" after about 2 s
          const client = new ClientServerClient({ address: server.info.address, timeoutMs: 5_000 })
          expect(await client.health()).toMatchObject({ answered: true, ready: false })
          client.close()
          expect(state()?.events).toEqual([])
        } finally {
          process.kill(etcd.pid, 'SIGCONT')
          await sup.stop()
          await etcd.kill()
        }
      },
    )
  },
)
