// PD HTTP API client against a local fake PD: request shapes (method, path, JSON body),
// "already exists"/"not found" answers, failover past unreachable PDs and 503s, and errors
// that carry the HTTP status and body.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { HttpError } from './http.ts'
import { NEMESIS_SCHEDULERS, PdApi } from './pd-api.ts'

interface Seen {
  method: string
  url: string
  body: string
  port: number
}

/** A fake PD whose answers the test sets per "METHOD path". */
async function fakePd(seen: Seen[], answers: Map<string, [number, unknown]>) {
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, port: (server.address() as AddressInfo).port })
      const [status, answer] = answers.get(`${req.method} ${req.url}`) ?? [404, 'not routed']
      res.writeHead(status).end(typeof answer === 'string' ? answer : JSON.stringify(answer))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}` }
}

describe('PdApi', () => {
  const seen: Seen[] = []
  const answers = new Map<string, [number, unknown]>()
  let pd: Awaited<ReturnType<typeof fakePd>>
  let api: PdApi

  beforeAll(async () => {
    pd = await fakePd(seen, answers)
    api = new PdApi([pd.endpoint])
  })
  afterAll(() => pd.server.close())
  afterEach(() => {
    seen.length = 0
    answers.clear()
  })

  test('adds the nemesis schedulers by name; one that already exists counts as added', async () => {
    answers.set('POST /pd/api/v1/schedulers', [200, 'The scheduler is created.'])
    for (const s of NEMESIS_SCHEDULERS) await api.addScheduler(s)
    expect(seen.map((s) => [s.method, s.url, JSON.parse(s.body)])).toEqual([
      ['POST', '/pd/api/v1/schedulers', { name: 'shuffle-leader-scheduler' }],
      ['POST', '/pd/api/v1/schedulers', { name: 'shuffle-region-scheduler' }],
      ['POST', '/pd/api/v1/schedulers', { name: 'random-merge-scheduler' }],
    ])
    answers.set('POST /pd/api/v1/schedulers', [500, '"[PD:scheduler:ErrSchedulerExisted]scheduler existed"'])
    await api.addScheduler('shuffle-leader-scheduler')
    await api.addScheduler('evict-leader-scheduler', { store_id: 4 })
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ name: 'evict-leader-scheduler', store_id: 4 })
  })

  test('other failures throw with method, URL, status and body', async () => {
    answers.set('POST /pd/api/v1/schedulers', [400, '"unknown scheduler"'])
    const err = await api.addScheduler('bogus-scheduler').catch((e) => e)
    expect(err).toBeInstanceOf(HttpError)
    expect(err).toMatchObject({ status: 400, body: '"unknown scheduler"', method: 'POST' })
    expect(err.message).toBe(
      `POST http://${pd.endpoint}/pd/api/v1/schedulers -> HTTP 400: "unknown scheduler"`,
    )
    answers.set('POST /pd/api/v1/schedulers', [500, 'etcd timeout'])
    await expect(api.addScheduler('shuffle-leader-scheduler')).rejects.toThrow('HTTP 500: etcd timeout')
  })

  test('removes and lists schedulers; a missing one counts as removed, other errors throw', async () => {
    answers.set('DELETE /pd/api/v1/schedulers/shuffle-region-scheduler', [200, 'The scheduler is removed.'])
    answers.set('DELETE /pd/api/v1/schedulers/random-merge-scheduler', [404, 'scheduler not found'])
    answers.set('GET /pd/api/v1/schedulers', [200, ['balance-leader-scheduler', 'shuffle-leader-scheduler']])
    await api.removeScheduler('shuffle-region-scheduler')
    await api.removeScheduler('random-merge-scheduler')
    answers.set('DELETE /pd/api/v1/schedulers/shuffle-leader-scheduler', [500, 'persist failed'])
    await expect(api.removeScheduler('shuffle-leader-scheduler')).rejects.toThrow('HTTP 500: persist failed')
    expect(await api.schedulers()).toEqual(['balance-leader-scheduler', 'shuffle-leader-scheduler'])
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'DELETE /pd/api/v1/schedulers/shuffle-region-scheduler',
      'DELETE /pd/api/v1/schedulers/random-merge-scheduler',
      'DELETE /pd/api/v1/schedulers/shuffle-leader-scheduler',
      'GET /pd/api/v1/schedulers',
    ])
  })

  test('leader, members, stores and leader moves', async () => {
    answers.set('GET /pd/api/v1/leader', [200, { name: 'n2', member_id: 7 }])
    answers.set('GET /pd/api/v1/members', [
      200,
      { members: [{ name: 'n1' }, { name: 'n2' }], leader: { name: 'n2' } },
    ])
    answers.set('GET /pd/api/v1/stores', [
      200,
      { count: 1, stores: [{ store: { id: 1, address: 'a', state_name: 'Up' } }] },
    ])
    answers.set('POST /pd/api/v1/leader/transfer/n3', [200, '"The transfer command is submitted."'])
    answers.set('POST /pd/api/v1/leader/resign', [200, '"The resign command is submitted."'])
    expect((await api.leader()).name).toBe('n2')
    expect((await api.members()).leader?.name).toBe('n2')
    expect((await api.stores()).count).toBe(1)
    await api.transferLeader('n3')
    await api.resignLeader()
    expect(seen.slice(-2).map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST /pd/api/v1/leader/transfer/n3',
      'POST /pd/api/v1/leader/resign',
    ])
  })

  test('skips unreachable PDs and PDs without a leader (503); lists every failure when none answers', async () => {
    const other = await fakePd(seen, new Map([['GET /pd/api/v1/leader', [503, 'redirect finds no leader']]]))
    try {
      answers.set('GET /pd/api/v1/leader', [200, { name: 'n1' }])
      // Port 1 refuses connections.
      const failover = new PdApi(['127.0.0.1:1', `http://${other.endpoint}/`, pd.endpoint])
      expect((await failover.leader()).name).toBe('n1')
      answers.clear()
      const none = new PdApi(['127.0.0.1:1', other.endpoint])
      const err = (await none.leader().catch((e) => e)) as Error
      expect(err.message).toMatch(/^no PD answered GET \/pd\/api\/v1\/leader:\n/)
      expect(err.message).toContain('GET http://127.0.0.1:1/pd/api/v1/leader failed')
      expect(err.message).toContain(
        `GET http://${other.endpoint}/pd/api/v1/leader -> HTTP 503: redirect finds no leader`,
      )
    } finally {
      other.server.close()
    }
  })

  test('needs at least one endpoint', () => {
    expect(() => new PdApi([])).toThrow('PdApi needs at least one PD endpoint')
  })
})
