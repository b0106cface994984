import { describe, expect, test } from 'vitest'
import { clusterConfigFromEnv } from './config.ts'

describe('cluster config from the environment', () => {
  test('defaults: 5 local nodes running etcd', () => {
    expect(clusterConfigFromEnv({})).toMatchObject({
      db: 'etcd',
      provider: 'local',
      nodes: 5,
      leaveDbRunning: false,
      sshUser: 'root',
      stateDir: '/var/lib/jepsen-tikv',
    })
  })

  test('an empty variable counts as unset', () => {
    expect(clusterConfigFromEnv({ JEPSEN_DB: '', JEPSEN_NODES: '' })).toMatchObject({ db: 'etcd', nodes: 5 })
  })

  test('a host list means the ssh provider', () => {
    const c = clusterConfigFromEnv({ JEPSEN_NODES: 'n1,n2:2222', JEPSEN_SSH_PRIVATE_KEY: '/k' })
    expect(c).toMatchObject({ provider: 'ssh', nodes: ['n1', 'n2:2222'], sshPrivateKey: '/k' })
  })

  test.each([
    [{ JEPSEN_DB: 'mysql' }, /JEPSEN_DB="mysql".*allowed values: etcd, tikv/],
    [{ JEPSEN_PROVIDER: 'docker' }, /JEPSEN_PROVIDER="docker".*allowed values: local, lxc, ssh/],
    [{ JEPSEN_NODES: '0' }, /JEPSEN_NODES="0": a node count must be 1\.\.200/],
    [
      { JEPSEN_NODES: 'a,b', JEPSEN_PROVIDER: 'local' },
      /JEPSEN_NODES="a,b": a host list needs JEPSEN_PROVIDER=ssh/,
    ],
    [{ JEPSEN_PROVIDER: 'ssh', JEPSEN_SSH_PRIVATE_KEY: '/k' }, /JEPSEN_NODES="5": .*needs a host list/],
    [{ JEPSEN_STATE_DIR: 'state' }, /JEPSEN_STATE_DIR="state": must be an absolute path/],
    [
      { JEPSEN_PROVIDER: 'ssh', JEPSEN_NODES: 'a,b' },
      /JEPSEN_SSH_PRIVATE_KEY: .*needs the path of a private key/,
    ],
    [{ JEPSEN_LEAVE_DB_RUNNING: 'maybe' }, /JEPSEN_LEAVE_DB_RUNNING="maybe"/],
    [{ TIKV_VERSION: 'latest' }, /TIKV_VERSION="latest": expected a release tag like v8\.5\.1/],
  ])('%o is refused naming the variable', (env, message) => {
    expect(() => clusterConfigFromEnv(env)).toThrow(message)
  })

  test('every bad variable is named at once', () => {
    expect(() => clusterConfigFromEnv({ JEPSEN_DB: 'x', JEPSEN_NODES: '999' })).toThrow(
      /JEPSEN_DB[\s\S]*JEPSEN_NODES/,
    )
  })
})
