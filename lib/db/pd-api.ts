// Client for PD's HTTP API (notes/tikv-deploy.md §4–5): schedulers that the nemesis turns on
// and off (shuffle-leader, shuffle-region, random-merge), members and leader, stores, cluster
// status, leader transfer. Requests go to the first PD that answers; a PD that cannot be
// reached or has no leader (503) is skipped. Any other HTTP error is thrown as HttpError with
// status and body; when no PD answers, the error lists every endpoint's failure.
import { HttpError, type HttpRequest, request } from './http.ts'

/** Schedulers the nemesis uses (the API names carry the "-scheduler" suffix). */
export const NEMESIS_SCHEDULERS = [
  'shuffle-leader-scheduler',
  'shuffle-region-scheduler',
  'random-merge-scheduler',
] as const

export interface PdMember {
  name: string
  member_id: number | string
  client_urls?: string[]
  peer_urls?: string[]
}

export interface PdMembers {
  members: PdMember[]
  leader?: PdMember
  etcd_leader?: PdMember
}

export interface PdStore {
  store: { id: number; address: string; state_name: string; status_address?: string }
  status?: { leader_count?: number; region_count?: number; last_heartbeat_ts?: string }
}

export interface PdStores {
  count: number
  stores: PdStore[] | null
}

export interface PdHealth {
  name: string
  member_id: number | string
  client_urls?: string[]
  health: boolean
}

export class PdApi {
  /** Base URLs like "http://10.0.0.1:2379"; bare "ip:port" gets http://. */
  readonly bases: string[]

  constructor(
    endpoints: string[],
    private readonly timeoutMs = 5000,
  ) {
    if (endpoints.length === 0) throw new Error('PdApi needs at least one PD endpoint')
    this.bases = endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `http://${e}`).replace(/\/$/, ''))
  }

  /** Names of the enabled schedulers. */
  schedulers(): Promise<string[]> {
    return this.json('/pd/api/v1/schedulers')
  }

  /**
   * Adds a scheduler; one that already exists counts as added (PD answers 500 "scheduler
   * existed"). `extra` e.g. {store_id} for evict-leader-scheduler.
   */
  async addScheduler(name: string, extra: Record<string, unknown> = {}): Promise<void> {
    const res = await this.call('/pd/api/v1/schedulers', { method: 'POST', body: { name, ...extra } }, [500])
    if (res.status === 500 && !/scheduler existed/i.test(res.body)) {
      throw new HttpError('POST', res.url, res.status, res.body)
    }
  }

  /** Removes a scheduler; one that does not exist counts as removed (HTTP 404). */
  async removeScheduler(name: string): Promise<void> {
    await this.call(`/pd/api/v1/schedulers/${encodeURIComponent(name)}`, { method: 'DELETE' }, [404])
  }

  members(): Promise<PdMembers> {
    return this.json('/pd/api/v1/members')
  }

  leader(): Promise<PdMember> {
    return this.json('/pd/api/v1/leader')
  }

  /** Moves PD (and its etcd) leadership to the member of that name. */
  async transferLeader(memberName: string): Promise<void> {
    await this.call(`/pd/api/v1/leader/transfer/${encodeURIComponent(memberName)}`, { method: 'POST' })
  }

  /** Makes the leader resign; another member takes over. */
  async resignLeader(): Promise<void> {
    await this.call('/pd/api/v1/leader/resign', { method: 'POST' })
  }

  stores(): Promise<PdStores> {
    return this.json('/pd/api/v1/stores')
  }

  clusterStatus(): Promise<{ is_initialized?: boolean }> {
    return this.json('/pd/api/v1/cluster/status')
  }

  health(): Promise<PdHealth[]> {
    return this.json('/pd/api/v1/health')
  }

  private async json<T>(path: string): Promise<T> {
    const res = await this.call(path, {})
    try {
      return JSON.parse(res.body) as T
    } catch {
      throw new Error(`GET ${res.url}: answer is not JSON: ${res.body.slice(0, 500)}`)
    }
  }

  /**
   * Tries each PD in turn until one answers with something other than 503. 2xx and the
   * `expected` statuses are returned; any other status throws HttpError.
   */
  private async call(
    path: string,
    req: HttpRequest,
    expected: number[] = [],
  ): Promise<{ status: number; body: string; url: string }> {
    const method = req.method ?? 'GET'
    const failures: string[] = []
    for (const base of this.bases) {
      const url = `${base}${path}`
      let res: Awaited<ReturnType<typeof request>>
      try {
        res = await request(url, { ...req, timeoutMs: this.timeoutMs })
      } catch (e) {
        failures.push((e as Error).message)
        continue
      }
      if (res.status === 503) {
        failures.push(new HttpError(method, url, res.status, res.body).message)
        continue
      }
      if ((res.status >= 200 && res.status < 300) || expected.includes(res.status)) return { ...res, url }
      throw new HttpError(method, url, res.status, res.body)
    }
    throw new Error(`no PD answered ${method} ${path}:\n${failures.join('\n')}`)
  }
}
