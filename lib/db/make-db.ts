// Picks the DB automation by name (`--db` / JEPSEN_DB): "etcd" or "tikv", with that DB's
// options validated (unknown names and bad values are errors that name the allowed values).
// TiKV options also come from the environment (TIKV_VERSION, TIKV_MIRROR, TIKV_PD_TARBALL,
// TIKV_TARBALL, TIKV_PD_SHA256, TIKV_SHA256); explicit options win over the environment.
import type { TestOptions } from '../config/options.ts'
import type { Db, DbName } from './db.ts'
import { type EtcdOptions, etcd } from './etcd.ts'
import { type TikvOptions, tikv, tikvOptionsFromEnv } from './tikv.ts'

export const DB_NAMES: readonly DbName[] = ['etcd', 'tikv']

export function makeDb(name: 'etcd', options?: EtcdOptions): Db
export function makeDb(name: 'tikv', options?: TikvOptions, env?: Record<string, string | undefined>): Db
export function makeDb(name: string, options?: object, env?: Record<string, string | undefined>): Db
export function makeDb(
  name: string,
  options: object = {},
  env: Record<string, string | undefined> = process.env,
): Db {
  switch (name) {
    case 'etcd':
      return etcd(options as EtcdOptions)
    case 'tikv':
      return tikv({ ...tikvOptionsFromEnv(env), ...(options as TikvOptions) })
    default:
      throw new Error(`unknown DB "${name}"; allowed values: ${DB_NAMES.join(', ')}`)
  }
}

/**
 * The DB a test's options name (lib/config/options.ts): etcd with its read mode
 * (--etcd-reads, which reaches the client servers through clientServerArgs()), or TiKV with
 * its version and the TIKV_* variables of `env`.
 */
export function dbFromOptions(
  options: Pick<TestOptions, 'db' | 'version' | 'etcdReads'>,
  env: Record<string, string | undefined> = process.env,
): Db {
  return options.db === 'tikv'
    ? makeDb('tikv', { version: options.version }, env)
    : makeDb('etcd', { reads: options.etcdReads })
}
