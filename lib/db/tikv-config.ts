// PD and TiKV configuration for Jepsen runs (DESIGN §7, notes/tikv-deploy.md §3), by version:
// fast Raft ticks and elections, tiny regions so splits and merges happen during a test,
// 3 replicas, bounded memory per instance. Keys that a version does not know are left out
// (raftstore.sync-log only before v5: raft writes are always synced since then).
import { stringify } from 'smol-toml'

export interface TikvVersion {
  major: number
  minor: number
  patch: number
  /** The release tag used in tarball names, always with a leading "v", e.g. "v8.5.1". */
  tag: string
}

/** Oldest release these configs and flags are written for. */
export const OLDEST_SUPPORTED = 'v4.0.0'

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/

/** Parses "v8.5.1" or "8.5.1"; the error names the value, the expected form and the oldest supported release. */
export function parseTikvVersion(value: string, source = 'version'): TikvVersion {
  const m = VERSION.exec(value.trim())
  if (!m) throw new Error(`${source} "${value}" is not a TiKV release like v8.5.1`)
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number)
  if (major < 4)
    throw new Error(`${source} "${value}" is older than ${OLDEST_SUPPORTED}, which is not supported`)
  return { major, minor, patch, tag: `v${m[1]}.${m[2]}.${m[3]}${m[4] ?? ''}` }
}

export type TomlTable = { [key: string]: unknown }

/** Deep-merges `over` into `base` (tables merge, anything else replaces). */
export function mergeConfig(base: TomlTable, over: TomlTable = {}): TomlTable {
  const out: TomlTable = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    const isTable = (x: unknown): x is TomlTable => typeof x === 'object' && x !== null && !Array.isArray(x)
    out[k] = isTable(b) && isTable(v) ? mergeConfig(b, v) : v
  }
  return out
}

/** pd.toml: etcd ticks of 50 ms / elections of 300 ms, 1 s leases, eager scheduling. */
export function pdConfig(_v: TikvVersion, overrides?: TomlTable): TomlTable {
  return mergeConfig(
    {
      'tick-interval': '50ms',
      'election-interval': '300ms',
      lease: 1,
      'tso-save-interval': '1s',
      log: { level: 'info' },
      schedule: {
        'split-merge-interval': '5s',
        'max-snapshot-count': 3,
        'max-pending-peer-count': 64,
        'max-store-down-time': '100h',
        'leader-schedule-limit': 8,
        'region-schedule-limit': 8,
        'replica-schedule-limit': 16,
        'merge-schedule-limit': 16,
        'tolerant-size-ratio': new TomlFloat(5),
      },
      replication: { 'max-replicas': 3 },
      'pd-server': { 'dashboard-address': 'none' },
    },
    overrides,
  )
}

export interface TikvSizing {
  /** Shared RocksDB block cache per instance (default is 45% of RAM per instance). */
  blockCacheMiB: number
}

/**
 * RocksDB's and the Raft DB's max-open-files: a test's few regions need few files, and
 * upstream's 40,960 each makes TiKV demand 123,880 descriptors, more than the hard limit of
 * many containers (20,000 on this project's CI machine).
 */
export const MAX_OPEN_FILES = 4096
/** What TiKV then demands at start: 1000 reserved + RocksDB's (doubled for Titan) + the Raft DB's. */
export const TIKV_REQUIRED_OPEN_FILES = 1000 + 2 * MAX_OPEN_FILES + MAX_OPEN_FILES

/** tikv.toml (addresses, data dir and log file go on the command line). */
export function tikvConfig(v: TikvVersion, sizing: TikvSizing, overrides?: TomlTable): TomlTable {
  const raftstore: TomlTable = {
    'pd-heartbeat-tick-interval': '5s',
    'raft-store-max-leader-lease': '50ms',
    'raft-base-tick-interval': '100ms',
    'raft-heartbeat-ticks': 3,
    'raft-election-timeout-ticks': 10,
    'region-split-check-diff': '1KiB',
    'split-region-check-tick-interval': '1s',
  }
  if (v.major < 5) raftstore['sync-log'] = true
  const storage: TomlTable = { 'block-cache': { capacity: `${sizing.blockCacheMiB}MiB` } }
  // The 5 GB default reserve makes every instance write a placeholder file. The key is only
  // written for v5+, where it is known to exist (an unknown key fails --config-check).
  if (v.major >= 5) storage['reserve-space'] = '0MB'
  return mergeConfig(
    {
      storage,
      raftstore,
      coprocessor: { 'region-max-keys': 5, 'region-split-keys': 3 },
      rocksdb: { 'max-open-files': MAX_OPEN_FILES },
      raftdb: { 'max-open-files': MAX_OPEN_FILES },
    },
    overrides,
  )
}

/**
 * A number that must be written as a TOML float: JavaScript has no integer/float distinction,
 * so 5.0 would be written `5`, which PD (Go) refuses for a float key ("cannot load TOML value
 * of type int64 into a Go float") — PD v8.1.2 did exactly that with tolerant-size-ratio.
 */
export class TomlFloat {
  constructor(readonly value: number) {}
}

const FLOAT_MARK = '@@jepsen-tikv-float:'

function markFloats(v: unknown): unknown {
  if (v instanceof TomlFloat) return `${FLOAT_MARK}${v.value}@@`
  if (Array.isArray(v)) return v.map(markFloats)
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markFloats(x)]))
  return v
}

/** TOML text with a header naming what wrote it; TomlFloat values are written with a decimal point. */
export function toToml(table: TomlTable, what: string): string {
  const text = stringify(markFloats(table) as TomlTable).replace(
    new RegExp(`"${FLOAT_MARK}([^@"]+)@@"`, 'g'),
    (_, n: string) => (Number.isInteger(Number(n)) ? `${n}.0` : n),
  )
  return `# ${what}, written by jepsen-tikv (lib/db/tikv-config.ts)\n${text}\n`
}
