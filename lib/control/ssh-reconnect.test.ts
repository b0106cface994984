// SshRemote when its connection drops, against an in-process ssh2 server on loopback: a command
// the drop interrupted is run again on a new connection, an sshd that is down for a while is
// waited for (each reconnect attempt logged), and what cannot be done names the node.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Connection, Server, utils } from 'ssh2'
import { afterAll, afterEach, expect, test } from 'vitest'
import { knownHostsLine } from './known-hosts.ts'
import type { NodeInfo } from './remote.ts'
import { SshRemote } from './ssh.ts'

const dir = mkdtempSync(join(tmpdir(), 'jepsen-ssh-reconnect-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const hostKey = utils.generateKeyPairSync('ed25519')
const clientKey = utils.generateKeyPairSync('ed25519')
writeFileSync(join(dir, 'id'), clientKey.private)

/**
 * A fake sshd: `echo X` prints X; `drop` kills the connection while the command runs, and
 * `drop-once` does so the first time only.
 */
class FakeSshd {
  readonly commands: string[] = []
  private server: Server | undefined
  private readonly connections = new Set<Connection>()
  port = 0

  async listen(port = 0): Promise<void> {
    this.server = new Server({ hostKeys: [hostKey.private] }, (conn) => {
      this.connections.add(conn)
      conn.on('close', () => this.connections.delete(conn))
      conn.on('error', () => {})
      conn.on('authentication', (ctx) => ctx.accept())
      conn.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec()
          this.commands.push(info.command)
          const again = this.commands.filter((c) => c === info.command).length > 1
          if (info.command === 'drop' || (info.command === 'drop-once' && !again)) {
            this.kill()
            return
          }
          channel.write(`${info.command.replace(/^echo /, '')}\n`)
          channel.exit(0)
          channel.end()
        })
      })
    })
    await new Promise<void>((done) => this.server?.listen(port, '127.0.0.1', done))
    this.port = (this.server.address() as AddressInfo).port
  }

  /** Stops listening and resets every connection, as `pkill sshd` does. */
  async stop(): Promise<void> {
    this.kill()
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()))
    this.server = undefined
  }

  private kill(): void {
    for (const c of this.connections) (c as unknown as { _sock: { destroy(): void } })._sock.destroy()
  }

  node(): NodeInfo {
    const knownHostsPath = join(dir, `known_hosts_${this.port}`)
    writeFileSync(knownHostsPath, `${knownHostsLine('127.0.0.1', this.port, hostKey.public)}\n`)
    return {
      name: 'n7',
      ip: '127.0.0.1',
      ssh: {
        host: '127.0.0.1',
        port: this.port,
        username: 'root',
        privateKeyPath: join(dir, 'id'),
        knownHostsPath,
      },
    }
  }
}

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

async function connected(opts: { retries?: number; connectTimeoutMs?: number } = {}) {
  const sshd = new FakeSshd()
  await sshd.listen()
  const lines: string[] = []
  const remote = await SshRemote.connect(sshd.node(), { ...opts, log: (m) => lines.push(m) })
  cleanup.push(
    () => remote.close(),
    () => sshd.stop(),
  )
  return { sshd, remote, lines }
}

test('a command cut off by a dropped connection runs again on a new one, and it is logged', async () => {
  const { sshd, remote, lines } = await connected()
  expect((await remote.exec('drop-once')).stdout).toBe('drop-once\n')
  expect(sshd.commands).toEqual(['drop-once', 'drop-once'])
  expect(lines).toEqual([
    expect.stringMatching(/^ssh n7: connection dropped/),
    'ssh n7: `drop-once` interrupted by a dropped connection (the connection closed before the command finished); retry 1 of 3',
    'ssh n7: reconnected (attempt 1)',
  ])
})

test('a command whose connection drops every time is given up after the retries, naming the node', async () => {
  const { sshd, remote, lines } = await connected()
  await expect(remote.exec('drop')).rejects.toThrow(
    /^node n7: `drop`: the ssh connection dropped 4 times; giving up \(the connection closed before the command finished\)$/,
  )
  expect(sshd.commands).toEqual(['drop', 'drop', 'drop', 'drop'])
  expect(
    lines.filter((l) => l.startsWith('ssh n7: `drop` interrupted by a dropped connection')),
  ).toHaveLength(3)
  expect((await remote.exec('echo back')).stdout).toBe('back\n') // and the remote is usable afterwards
})

test('while sshd restarts, commands wait for it: each reconnect attempt is logged', async () => {
  const { sshd, remote, lines } = await connected()
  expect((await remote.exec('echo one')).stdout).toBe('one\n')
  const port = sshd.port
  await sshd.stop()
  setTimeout(() => void sshd.listen(port), 600)
  expect((await remote.exec('echo two')).stdout).toBe('two\n')
  expect(lines[0]).toMatch(/^ssh n7: connection dropped/)
  expect(
    lines.some((l) => /^ssh n7: reconnect attempt 1 failed \(.*ECONNREFUSED.*\); next in 25 ms$/.test(l)),
  ).toBe(true)
  expect(lines.at(-1)).toMatch(/^ssh n7: reconnected \(attempt \d+\)$/)
})

test('an sshd that stays down fails within connectTimeoutMs, naming the node, address and attempts', async () => {
  const { sshd, remote, lines } = await connected({ connectTimeoutMs: 500 })
  await sshd.stop()
  await expect(remote.exec('echo never')).rejects.toThrow(
    new RegExp(
      `^node n7: ssh to 127\\.0\\.0\\.1:${sshd.port} failed after \\d+ attempts in 0\\.5 s: .*ECONNREFUSED`,
    ),
  )
  expect(lines.at(-1)).toMatch(/reconnect attempt \d+ failed \(.*\); giving up$/)
})
