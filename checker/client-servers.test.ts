// The client-servers check: restarts are counted, a lost client server makes the run unknown.
import { expect, test } from 'vitest'
import type { Op } from '../lib/history/op.ts'
import { checkClientServers } from './client-servers.ts'

const ok = (index: number): Op => ({ index, time: index * 1e9, type: 'ok', process: 0, f: 'read' })
const restart = (index: number, node: string, error?: string): Op => ({
  index,
  time: index * 1e9,
  type: 'info',
  process: 'nemesis',
  f: 'client-server-restart',
  value: { node, reason: 'exited (signal SIGKILL)', downMs: 420 },
  ...(error ? { error } : {}),
})

test('no restart: valid; restarts are counted and described', () => {
  expect(checkClientServers([ok(0), ok(1)])).toMatchObject({ valid: true, restarts: 0 })
  const r = checkClientServers([ok(0), restart(8, 'n3'), ok(9)])
  expect(r).toMatchObject({ valid: true, restarts: 1, lost: [] })
  expect(r.explanation).toBe(
    '1 client server restart(s): n3 at 8.0 s (exited (signal SIGKILL); back after 420 ms)',
  )
})

test('a client server that could not be restarted makes the verdict unknown, naming the node', () => {
  const error = 'client server for n3 could not be restarted after 3 attempts: no binary'
  const r = checkClientServers([ok(0), restart(4, 'n2'), restart(8, 'n3', error)])
  expect(r.valid).toBe('unknown')
  expect(r).toMatchObject({ restarts: 1, lost: [{ node: 'n3', error }] })
  expect(r.explanation).toMatch(
    /^client server for n3 could not be restarted .* \(at 8\.0 s\): that node sent no load/,
  )
})
