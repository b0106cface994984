// Teardown's ssh-host healing: flag handling (both --nodes and --ssh-private-key, a host list,
// errors naming the flags) and healing through fake remotes with the nodes the ssh provider
// would build (user, port, key, known_hosts), an unreachable host reported without failing the rest.
import { describe, expect, test } from 'vitest'
import type { NodeInfo } from '../control/remote.ts'
import { FakeRemote } from '../db/fake-remote.ts'
import { healSshHosts, sshHostsFromFlags } from './teardown.ts'

const flagErrors = (f: Parameters<typeof sshHostsFromFlags>[0]): string => {
  try {
    sshHostsFromFlags(f)
  } catch (e) {
    return (e as { forFlags(): string }).forFlags()
  }
  throw new Error('expected a ConfigError')
}

describe('teardown of ssh hosts', () => {
  test('no --nodes and no --ssh-private-key: only local runs are torn down', () => {
    expect(sshHostsFromFlags({ sshUser: 'root' })).toBeUndefined()
  })

  test('--nodes with --ssh-private-key name the hosts, user and known_hosts', () => {
    expect(
      sshHostsFromFlags({ nodes: 'h1, h2:2222', sshPrivateKey: '/k', sshUser: 'admin', knownHosts: '/kh' }),
    ).toEqual({ hosts: ['h1', 'h2:2222'], privateKeyPath: '/k', username: 'admin', knownHostsPath: '/kh' })
    expect(sshHostsFromFlags({ nodes: 'h1', sshPrivateKey: '/k' })?.username).toBe('root')
  })

  test('each half without the other, a count, or a bad host is refused naming the flag', () => {
    expect(flagErrors({ nodes: 'h1,h2' })).toContain('--ssh-private-key: needed to reach the ssh hosts')
    expect(flagErrors({ sshPrivateKey: '/k' })).toContain('--nodes: give the ssh hosts to heal')
    expect(flagErrors({ nodes: '3', sshPrivateKey: '/k' })).toContain(
      '--nodes="3": teardown heals ssh hosts: give a host list, not a count',
    )
    expect(flagErrors({ nodes: 'h1,bad host', sshPrivateKey: '/k' })).toContain(
      '--nodes="h1,bad host": expected a count or host[:port]',
    )
  })

  test('heals every host through its remote; an unreachable host is a problem, the others are healed', async () => {
    const connected: NodeInfo[] = []
    const listing = '-A JEPSEN -s 10.0.0.3/32 -m comment --comment jepsen-old -j DROP'
    const result = await healSshHosts(
      { hosts: ['h1', 'h2:2222'], privateKeyPath: '/k', username: 'admin', knownHostsPath: '/kh' },
      {
        connect: async (node) => {
          connected.push(node)
          if (node.name === 'h2') throw new Error('connect ECONNREFUSED h2:2222')
          return new FakeRemote(node, (cmd) => {
            if (cmd.includes('-S JEPSEN')) return { stdout: listing }
            if (cmd.startsWith('ps -eo')) return { stdout: '77\n' }
            return undefined
          })
        },
      },
    )
    expect(connected.map((n) => n.ssh)).toEqual([
      { host: 'h1', port: 22, username: 'admin', privateKeyPath: '/k', knownHostsPath: '/kh' },
      { host: 'h2', port: 2222, username: 'admin', privateKeyPath: '/k', knownHostsPath: '/kh' },
    ])
    expect(result).toEqual({
      healed: ['healed h1: 1 rules removed, resumed [77]'],
      problems: ['h2: connect ECONNREFUSED h2:2222'],
    })
  })

  test('without --known-hosts, host keys are scanned on first use; a host without one is named', async () => {
    const result = await healSshHosts({ hosts: ['127.0.0.1:1'], privateKeyPath: '/k' })
    expect(result).toEqual({
      healed: [],
      problems: ['ssh provider: ssh-keyscan got no host key from 127.0.0.1:1'],
    })
  })
})
