// The worker's view of supervised client servers: addresses follow restarts, only this run's
// servers and only events after the run began are reported, and a server lost before the run
// is reported when it starts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import type { MonitorEvent } from '../runner/client.ts'
import { ClientServerDirectory } from './directory.ts'
import { type SupervisorState, writeSupervisorState } from './supervisor-state.ts'

const dir = mkdtempSync(join(tmpdir(), 'jepsen-directory-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const listed = [
  { node: 'n1', address: '127.0.0.1:1001' },
  { node: 'n2', address: '127.0.0.1:1002' },
]
const server = (node: string, original: string, address = original) => ({
  node,
  original,
  address,
  pid: 1,
  restarts: address === original ? 0 : 1,
})
const restart = (seq: number, node: string, previous: string, address: string) => ({
  seq,
  node,
  reason: 'exited (signal SIGKILL)',
  previous,
  failedAt: 0,
  downMs: 300,
  address,
  pid: 2,
})

test('addresses follow restarts; without a state file the listed ones are used', () => {
  const file = join(dir, 'a.json')
  expect(new ClientServerDirectory({ clientServers: listed }).address('n2')).toBe('127.0.0.1:1002')
  const d = new ClientServerDirectory({ clientServers: listed, clientServerState: file })
  expect(d.address('n1')).toBe('127.0.0.1:1001') // no file yet
  writeSupervisorState(file, {
    servers: [server('n1', '127.0.0.1:1001', '127.0.0.1:2001'), server('n2', '127.0.0.1:1002')],
    events: [restart(1, 'n1', '127.0.0.1:1001', '127.0.0.1:2001')],
  })
  expect(d.refresh()).toHaveLength(1)
  expect(d.address('n1')).toBe('127.0.0.1:2001')
  expect(d.address('n9')).toBe('127.0.0.1:2001') // unknown node: the first server
  expect(d.supervised('n1')).toMatchObject({ restarts: 1 })
  expect(d.refresh()).toEqual([])
  // A test with client servers of its own (another address for n1) is not redirected.
  const own = new ClientServerDirectory({
    clientServers: [{ node: 'n1', address: '127.0.0.1:3001' }],
    clientServerState: file,
  })
  expect(own.address('n1')).toBe('127.0.0.1:3001')
})

test('the monitor reports a server lost before the run at its start, then only new events of its servers', async () => {
  const file = join(dir, 'b.json')
  const state: SupervisorState = {
    servers: [
      {
        ...server('n1', '127.0.0.1:1001'),
        lost: 'client server for n1 could not be restarted after 3 attempts: x',
      },
      server('n2', '127.0.0.1:1002'),
      server('n3', '127.0.0.1:1003'), // not this run's
    ],
    events: [{ ...restart(1, 'n1', '127.0.0.1:1001', ''), address: undefined, error: 'lost' }],
  }
  writeSupervisorState(file, state)
  const d = new ClientServerDirectory({ clientServers: listed, clientServerState: file })
  const events: MonitorEvent[] = []
  const m = d.monitor(20)
  m.start((e) => events.push(e))
  expect(events).toEqual([
    {
      f: 'client-server-restart',
      value: { node: 'n1', previous: '127.0.0.1:1001' },
      error: 'client server for n1 could not be restarted after 3 attempts: x',
    },
  ])
  state.events.push(restart(2, 'n3', '127.0.0.1:1003', '127.0.0.1:2003'))
  state.events.push(restart(3, 'n2', '127.0.0.1:1002', '127.0.0.1:2002'))
  writeSupervisorState(file, state)
  await new Promise((r) => setTimeout(r, 100))
  m.stop()
  expect(events.slice(1)).toEqual([
    {
      f: 'client-server-restart',
      value: {
        node: 'n2',
        reason: 'exited (signal SIGKILL)',
        previous: '127.0.0.1:1002',
        address: '127.0.0.1:2002',
        downMs: 300,
      },
    },
  ])
})

test('a corrupt state file is an error naming it; no client servers at all is refused', () => {
  const file = join(dir, 'c.json')
  writeSupervisorState(file, { servers: [], events: [] })
  const d = new ClientServerDirectory({ clientServers: listed, clientServerState: file })
  writeFileSync(file, '{"servers":')
  expect(() => d.refresh()).toThrow(`client-server supervisor state ${file} is not valid`)
  expect(() => new ClientServerDirectory({ clientServers: [] })).toThrow(/has no client servers/)
})
