import { describe, expect, test } from 'vitest'
import { optionsFromEnv } from '../config/options.ts'
import { dbFromOptions } from './make-db.ts'
import type { TikvDb } from './tikv.ts'

describe('dbFromOptions', () => {
  test('--etcd-reads reaches the client servers through clientServerArgs()', () => {
    const o = optionsFromEnv({ JEPSEN_ETCD_READS: 'serializable' })
    expect(dbFromOptions(o).clientServerArgs?.()).toEqual(['--etcd-reads', 'serializable'])
    expect(dbFromOptions(optionsFromEnv({})).clientServerArgs?.()).toEqual(['--etcd-reads', 'linearizable'])
  })

  test('TiKV takes its version from the options and TIKV_* variables from the environment', () => {
    const env = {
      JEPSEN_DB: 'tikv',
      TIKV_VERSION: 'v7.5.0',
      TIKV_MIRROR: 'https://mirror.example',
      TIKV_TARBALL: '/tmp/tikv.tar.gz',
      TIKV_SHA256: 'a'.repeat(64),
    }
    const db = dbFromOptions(optionsFromEnv(env), env) as TikvDb
    expect(db.name).toBe('tikv')
    expect(db.options).toMatchObject({
      version: 'v7.5.0',
      mirror: 'https://mirror.example',
      tikvTarball: '/tmp/tikv.tar.gz',
      tikvSha256: 'a'.repeat(64),
    })
  })
})
