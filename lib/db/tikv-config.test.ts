// Version parsing and the generated PD/TiKV TOML: Raft timing, tiny regions, replicas,
// version-dependent keys (sync-log only before v5), overrides, and the validity constraints
// TiKV enforces at startup.
import { parse } from 'smol-toml'
import { describe, expect, test } from 'vitest'
import {
  MAX_OPEN_FILES,
  mergeConfig,
  parseTikvVersion,
  pdConfig,
  TIKV_REQUIRED_OPEN_FILES,
  TomlFloat,
  tikvConfig,
  toToml,
} from './tikv-config.ts'

const v8 = parseTikvVersion('v8.5.1')
const v4 = parseTikvVersion('4.0.16')

describe('TiKV versions', () => {
  test('accepts tags with or without v and normalizes to the tarball tag', () => {
    expect(v8).toEqual({ major: 8, minor: 5, patch: 1, tag: 'v8.5.1' })
    expect(v4.tag).toBe('v4.0.16')
    expect(parseTikvVersion('v7.5.0-rc.1').tag).toBe('v7.5.0-rc.1')
  })

  test('rejects malformed and too old versions, naming the value', () => {
    expect(() => parseTikvVersion('latest', 'TIKV_VERSION')).toThrow(
      'TIKV_VERSION "latest" is not a TiKV release like v8.5.1',
    )
    expect(() => parseTikvVersion('v3.0.20')).toThrow('older than v4.0.0')
  })
})

describe('generated configs', () => {
  test('pd.toml has fast ticks, 3 replicas and no dashboard, as parseable TOML', () => {
    const pd = parse(toToml(pdConfig(v8), 'PD')) as Record<string, Record<string, unknown>>
    expect(pd['tick-interval']).toBe('50ms')
    expect(pd['election-interval']).toBe('300ms')
    expect(pd.replication['max-replicas']).toBe(3)
    expect(pd.schedule['split-merge-interval']).toBe('5s')
    expect(pd['pd-server']['dashboard-address']).toBe('none')
    // etcd requires election ≥ 5 × tick
    expect(Number.parseInt(pd['election-interval'] as unknown as string, 10)).toBeGreaterThanOrEqual(
      5 * Number.parseInt(pd['tick-interval'] as unknown as string, 10),
    )
  })

  test('tikv.toml has tiny regions and fast elections; sync-log only before v5', () => {
    const kv8 = parse(toToml(tikvConfig(v8, { blockCacheMiB: 256 }), 'TiKV')) as Record<
      string,
      Record<string, unknown>
    >
    expect(kv8.coprocessor).toEqual({ 'region-max-keys': 5, 'region-split-keys': 3 })
    expect(kv8.raftstore['raft-election-timeout-ticks']).toBe(10)
    expect(kv8.raftstore['region-split-check-diff']).toBe('1KiB')
    expect(kv8.raftstore).not.toHaveProperty('sync-log')
    expect(kv8.storage).toEqual({ 'block-cache': { capacity: '256MiB' }, 'reserve-space': '0MB' })

    const kv4 = tikvConfig(v4, { blockCacheMiB: 128 }) as Record<string, Record<string, unknown>>
    expect(kv4.raftstore['sync-log']).toBe(true)
    expect(kv4.storage).not.toHaveProperty('reserve-space')
  })

  test('tikv.toml satisfies the constraints TiKV validates at startup', () => {
    const kv = tikvConfig(v8, { blockCacheMiB: 256 }) as Record<string, Record<string, unknown>>
    const r = kv.raftstore
    const tick = Number.parseInt(r['raft-base-tick-interval'] as string, 10)
    const election = tick * (r['raft-election-timeout-ticks'] as number)
    expect(r['raft-election-timeout-ticks']).toBeGreaterThan(r['raft-heartbeat-ticks'] as number)
    expect(Number.parseInt(r['raft-store-max-leader-lease'] as string, 10)).toBeLessThanOrEqual(
      election - tick,
    )
    expect(kv.coprocessor['region-max-keys']).toBeGreaterThanOrEqual(
      kv.coprocessor['region-split-keys'] as number,
    )
  })

  test("TiKV's open-files demand (1000 + RocksDB's x2 for Titan + Raft DB's) fits a 20,000 hard limit", () => {
    // TiKV v8.1.2 refused to start on this project's machines (hard limit 20,000) with
    // upstream's 40,960 per DB: "the maximum number of open file descriptors is too small".
    const cfg = parse(toToml(tikvConfig(v8, { blockCacheMiB: 64 }), 'test')) as Record<
      string,
      Record<string, number>
    >
    const rocks = cfg.rocksdb['max-open-files']
    const raft = cfg.raftdb['max-open-files']
    expect([rocks, raft]).toEqual([MAX_OPEN_FILES, MAX_OPEN_FILES])
    expect(1000 + 2 * rocks + raft).toBe(TIKV_REQUIRED_OPEN_FILES)
    expect(TIKV_REQUIRED_OPEN_FILES).toBeLessThan(20_000)
  })

  test('float keys are written as TOML floats (PD v8.1.2 refused `tolerant-size-ratio = 5`)', () => {
    const text = toToml(pdConfig(v8), 'PD')
    expect(text).toMatch(/^tolerant-size-ratio = 5\.0$/m)
    expect((parse(text) as { schedule: Record<string, unknown> }).schedule['tolerant-size-ratio']).toBe(5)
    expect(toToml({ a: new TomlFloat(0.25), b: [new TomlFloat(2)] }, 'x')).toContain('a = 0.25\nb = [ 2.0 ]')
  })

  test('overrides merge into tables and replace leaves', () => {
    const kv = tikvConfig(
      v8,
      { blockCacheMiB: 256 },
      { raftstore: { 'hibernate-regions': false, 'raft-heartbeat-ticks': 2 } },
    )
    const r = (kv as Record<string, Record<string, unknown>>).raftstore
    expect(r['hibernate-regions']).toBe(false)
    expect(r['raft-heartbeat-ticks']).toBe(2)
    expect(r['raft-base-tick-interval']).toBe('100ms')
    expect(mergeConfig({ a: { b: 1 } }, { a: [1] })).toEqual({ a: [1] })
  })
})
