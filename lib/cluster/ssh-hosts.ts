// The `ssh` provider: existing hosts given by the user (JEPSEN_NODES=h1,h2:2222,...) and a private
// key. Host keys are checked against `knownHostsPath` when given (e.g. ~/.ssh/known_hosts).
// Without one, the keys are fetched with ssh-keyscan on first contact and recorded in the run's
// known_hosts: TRUST ON FIRST USE — a machine in the middle at that moment would be trusted;
// pass knownHostsPath for strict checking.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { NodeInfo } from '../control/remote.ts'
import { run } from './host.ts'
import type { Provider, ProvisionContext } from './provider.ts'

export interface SshHostsOptions {
  /** "host" or "host:port" per node. */
  hosts: string[]
  privateKeyPath: string
  username?: string
  /** known_hosts with the hosts' keys; absent = trust on first use (see module comment). */
  knownHostsPath?: string
}

export function parseHost(spec: string): { host: string; port: number } {
  const m = /^([^:]+)(?::(\d+))?$/.exec(spec)
  if (!m) throw new Error(`ssh provider: bad host "${spec}" (expected host or host:port)`)
  return { host: m[1], port: m[2] ? Number(m[2]) : 22 }
}

export class SshHostsProvider implements Provider {
  readonly name = 'ssh'
  readonly nodeCount: number

  constructor(private readonly opts: SshHostsOptions) {
    if (opts.hosts.length === 0) throw new Error('ssh provider: no hosts given (JEPSEN_NODES=h1,h2,...)')
    this.nodeCount = opts.hosts.length
  }

  provision(ctx: ProvisionContext): Promise<NodeInfo[]> {
    return sshNodes(this.opts, ctx.runDir, ctx.log)
  }
}

/**
 * The hosts as nodes to ssh into. Host keys come from `knownHostsPath` when given; otherwise
 * from ssh-keyscan (trust on first use, see module comment), recorded in `<dir>/known_hosts`.
 */
export async function sshNodes(
  opts: SshHostsOptions,
  dir: string,
  log: (message: string) => void,
): Promise<NodeInfo[]> {
  const targets = opts.hosts.map(parseHost)
  let knownHostsPath = opts.knownHostsPath
  if (!knownHostsPath) {
    knownHostsPath = join(dir, 'known_hosts')
    log(`ssh: recording host keys of ${opts.hosts.join(', ')} on first use (ssh-keyscan)`)
    const scans = await Promise.all(
      targets.map(async ({ host, port }) => {
        const { stdout } = await run('ssh-keyscan', ['-T', '10', '-p', String(port), host], {
          check: false,
        })
        const lines = stdout.split('\n').filter((l) => l && !l.startsWith('#'))
        if (lines.length === 0)
          throw new Error(`ssh provider: ssh-keyscan got no host key from ${host}:${port}`)
        return lines.join('\n')
      }),
    )
    await writeFile(knownHostsPath, `${scans.join('\n')}\n`)
  }
  return targets.map(({ host, port }) => ({
    name: host,
    ip: host,
    ssh: {
      host,
      port,
      username: opts.username ?? 'root',
      privateKeyPath: opts.privateKeyPath,
      knownHostsPath,
    },
  }))
}
