// The results browser without a browser: run list, file serving, read-only methods, Host check,
// and no way out of the store (raw and encoded "..", encoded slashes, symlinks pointing outside).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createRun } from '../run-store/store.ts'
import { runDate, type Served, serveStore } from './serve.ts'

const base = mkdtempSync(join(tmpdir(), 'serve-test-'))
const root = join(base, 'store')
let served: Served
let port: number

/** A raw request: the path is sent as written, without URL normalisation. */
function get(
  path: string,
  o: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: o.method ?? 'GET',
        headers: { host: o.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  mkdirSync(root)
  writeFileSync(join(base, 'secret.txt'), 'TOP-SECRET')
  const run = createRun('register', root)
  run.writeTest({
    name: 'register',
    workload: 'register',
    nemesis: ['partition'],
    db: 'etcd',
    seed: 1,
    startedAt: '2025-01-01T00:00:00Z',
    options: {},
    nodes: ['n1'],
  })
  run.writeResults({
    valid: false,
    checkers: {
      linearizable: { valid: false, checker: 'linearizable' },
      perf: { valid: true, checker: 'perf' },
      stats: { valid: 'unknown', checker: 'stats' },
    },
  })
  writeFileSync(run.reportPath, '<!doctype html><title>r</title>')
  writeFileSync(join(run.nodeDir('n1'), 'etcd.log'), 'hello log\n')
  symlinkSync(join(base, 'secret.txt'), join(run.dir, 'escape.txt'))
  symlinkSync(base, join(root, 'up'))
  served = await serveStore({ root })
  port = Number(new URL(served.url).port)
})
afterAll(async () => {
  await served?.close()
  rmSync(base, { recursive: true, force: true })
})

describe('serveStore', () => {
  test('lists runs with verdict, workload, nemesis, date and links to report and files', async () => {
    const r = await get('/')
    expect(r.status).toBe(200)
    expect(r.body).toContain('INVALID')
    expect(r.body).toContain('<td>linearizable, stats: unknown</td>')
    expect(r.body).toContain('partition')
    expect(r.body).toMatch(/href="\/register\/\d{8}T\d{6}\.\d{3}\/report\.html"/)
    expect(r.body).toMatch(/<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<\/td>/)
  })

  test('serves files under the store, directory listings, and store/latest', async () => {
    const log = await get('/latest/nodes/n1/etcd.log')
    expect(log.status).toBe(200)
    expect(log.body).toBe('hello log\n')
    expect(log.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(log.headers['x-content-type-options']).toBe('nosniff')
    const dir = await get('/latest/')
    expect(dir.body).toContain('report.html')
    expect((await get('/latest')).status).toBe(301)
    const head = await get('/latest/report.html', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0)
  })

  test.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s is refused: the store is read-only', async (method) => {
    const r = await get('/latest/report.html', { method })
    expect(r.status).toBe(405)
    expect(r.headers.allow).toBe('GET, HEAD')
  })

  test.each([
    '/../secret.txt',
    '/latest/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2e%2e/secret.txt',
    '/latest/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/register/%00',
    '/%',
  ])('path %s is refused (400)', async (path) => {
    const r = await get(path)
    expect(r.status).toBe(400)
    expect(r.body).not.toContain('TOP-SECRET')
  })

  test('symlinks pointing outside the store are refused (403)', async () => {
    const file = await get('/latest/escape.txt')
    expect(file.status).toBe(403)
    expect(file.body).not.toContain('TOP-SECRET')
    expect(file.body).toMatch(/leads outside the store/)
    const up = await get('/up/secret.txt')
    expect(up.status).toBe(403)
    expect(up.body).not.toContain('TOP-SECRET')
    expect((await get('/up/')).status).toBe(403)
  })

  test('a missing file is 404; a foreign Host header is refused (no DNS rebinding)', async () => {
    expect((await get('/nope.txt')).status).toBe(404)
    expect((await get('/', { host: `evil.example:${port}` })).status).toBe(421)
    expect((await get('/', { host: 'localhost:1' })).status).toBe(421)
    expect((await get('/', { host: `localhost:${port}` })).status).toBe(200)
  })

  test('only loopback hosts may be bound', () => {
    expect(() => serveStore({ root, host: '0.0.0.0' })).toThrow(/0\.0\.0\.0.*not a loopback address/)
  })
})

test('runDate formats store timestamps', () => {
  expect(runDate('20250102T030405.678')).toBe('2025-01-02 03:04:05')
})
