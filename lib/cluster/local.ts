// The `local` provider (DESIGN §6, shared/notes/local-cluster-recipe.md): each node is a set of
// Linux namespaces on this host (net, uts, mount, pid) behind a per-run bridge, with its own
// sshd and host key, private /opt, /root, /tmp, /run, /etc/hosts and DB data dirs, and
// CAP_SYS_TIME dropped from its bounding set so a clock nemesis cannot move the host clock.
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { knownHostsLine } from '../control/known-hosts.ts'
import type { NodeInfo } from '../control/remote.ts'
import { processRef, requireRoot, run } from './host.ts'
import { resourceNames } from './naming.ts'
import type { Provider, ProvisionContext } from './provider.ts'
import { formatCidr, hostAddress } from './subnet.ts'
import { claimSubnet } from './subnet-claim.ts'

export interface LocalProviderOptions {
  /** Number of nodes (default 5). */
  nodes?: number
}

/** Host paths each node gets a private copy of (besides the DB data dirs), with their modes. */
const PRIVATE_DIRS: [string, number][] = [
  ['/opt', 0o755],
  ['/root', 0o700],
  ['/tmp', 0o1777],
]

export function sshdConfig(ip: string, nodeDir: string): string {
  return [
    `ListenAddress ${ip}`,
    `HostKey ${nodeDir}/ssh_host_ed25519_key`,
    'PidFile /run/sshd.pid',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'MaxStartups 100',
    'MaxSessions 100',
    'AcceptEnv LANG',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n')
}

/** The script run as PID 1 of a node: private mounts, then sshd, then reap orphans forever. */
export function nodeInitScript(name: string, nodeDir: string, binds: [string, string][]): string {
  return [
    '#!/bin/bash',
    'set -e',
    `hostname ${name}`,
    'mount --make-rprivate /',
    ...binds.map(([src, dst]) => `mount --bind ${src} ${dst}`),
    'mount -t tmpfs -o mode=755 jtrun /run',
    'mkdir -p /run/sshd',
    'ip link set lo up',
    `setpriv --bounding-set -sys_time /usr/sbin/sshd -D -f ${nodeDir}/sshd_config -E ${nodeDir}/sshd.log &`,
    'set +e',
    'while :; do sleep 3600 & wait $!; done',
    '',
  ].join('\n')
}

export class LocalProvider implements Provider {
  readonly name = 'local'
  readonly nodeCount: number

  constructor(opts: LocalProviderOptions = {}) {
    this.nodeCount = opts.nodes ?? 5
    if (!Number.isInteger(this.nodeCount) || this.nodeCount < 1 || this.nodeCount > 200) {
      throw new Error(`LocalProvider: nodes must be an integer 1..200, got ${opts.nodes}`)
    }
  }

  async provision(ctx: ProvisionContext): Promise<NodeInfo[]> {
    requireRoot('the local cluster provider')
    // The node's own files must stay visible inside it, so not under a path it gets privately.
    for (const dir of [...PRIVATE_DIRS.map(([d]) => d), '/run', ...ctx.dataDirs]) {
      if (`${ctx.runDir}/`.startsWith(`${dir}/`)) {
        throw new Error(
          `local provider: state dir ${ctx.runDir} is under ${dir}, which each node mounts privately; use another state dir (JEPSEN_STATE_DIR)`,
        )
      }
    }
    const names = resourceNames(ctx.runId)
    const reg = ctx.registration
    const count = this.nodeCount
    const indexes = Array.from({ length: count }, (_, i) => i + 1)
    const nodeName = (i: number) => `n${i}`
    const keyPath = join(ctx.runDir, 'id_ed25519')
    const knownHostsPath = join(ctx.runDir, 'known_hosts')

    // Keys (client key and one host key per node) while the subnet is chosen.
    const keygen = (path: string, comment: string) =>
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path])
    const nodeDir = (i: number) => join(ctx.runDir, 'nodes', nodeName(i))
    await Promise.all(indexes.map((i) => mkdir(nodeDir(i), { recursive: true, mode: 0o755 })))
    const keys = Promise.all([
      keygen(keyPath, `jepsen-tikv ${ctx.runId}`),
      ...indexes.map((i) => keygen(join(nodeDir(i), 'ssh_host_ed25519_key'), nodeName(i))),
    ])

    const subnet = await claimSubnet(ctx.runDir, reg)
    const ip = (i: number) => hostAddress(subnet, 10 + i)
    const gateway = hostAddress(subnet, 1)
    ctx.log(`local: ${count} nodes on ${formatCidr(subnet)}, bridge ${names.bridge}`)

    await reg.add((r) => {
      r.links.push(names.bridge, ...indexes.map(names.veth))
      r.netns.push(...indexes.map(names.netns))
    })
    await run('ip', ['link', 'add', 'name', names.bridge, 'type', 'bridge'])
    await run('ip', ['addr', 'add', `${gateway}/24`, 'dev', names.bridge])
    await run('ip', ['link', 'set', names.bridge, 'up'])

    const hosts = [
      '127.0.0.1 localhost',
      '::1 localhost ip6-localhost ip6-loopback',
      ...indexes.map((i) => `${ip(i)} ${nodeName(i)}`),
      '',
    ].join('\n')
    await keys
    const clientPub = await readFile(`${keyPath}.pub`, 'utf8')

    const startNode = async (i: number) => {
      const ns = names.netns(i)
      const veth = names.veth(i)
      const dir = nodeDir(i)
      await run('ip', ['netns', 'add', ns])
      await run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      await run('ip', ['link', 'set', veth, 'master', names.bridge, 'up'])
      await run('ip', ['-n', ns, 'addr', 'add', `${ip(i)}/24`, 'dev', 'eth0'])
      await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
      await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', gateway])

      const binds: [string, string][] = []
      for (const [path, mode] of [
        ...PRIVATE_DIRS,
        ...ctx.dataDirs.map((d): [string, number] => [d, 0o755]),
      ]) {
        const src = join(dir, 'fs', path.replace(/^\//, '').replace(/\//g, '-'))
        await mkdir(src, { recursive: true })
        await chmod(src, mode)
        await mkdir(path, { recursive: true }) // mount point on the host
        binds.push([src, path])
      }
      await mkdir(join(dir, 'fs', 'root', '.ssh'), { mode: 0o700 })
      await writeFile(join(dir, 'fs', 'root', '.ssh', 'authorized_keys'), clientPub, { mode: 0o600 })
      await writeFile(join(dir, 'hosts'), hosts)
      await writeFile(join(dir, 'hostname'), `${nodeName(i)}\n`)
      binds.push([join(dir, 'hosts'), '/etc/hosts'], [join(dir, 'hostname'), '/etc/hostname'])
      await writeFile(join(dir, 'sshd_config'), sshdConfig(ip(i), dir))
      await writeFile(join(dir, 'init.sh'), nodeInitScript(nodeName(i), dir, binds), { mode: 0o755 })

      const log = openSync(join(dir, 'init.log'), 'a')
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          'unshare',
          '--uts',
          '--mount',
          '--pid',
          '--fork',
          '--kill-child=SIGKILL',
          '--mount-proc',
        ].concat(['/bin/bash', join(dir, 'init.sh')]),
        { detached: true, stdio: ['ignore', log, log] },
      )
      closeSync(log)
      child.unref()
      const pid = child.pid
      if (pid === undefined) throw new Error(`node ${nodeName(i)}: could not start unshare`)
      await reg.add((r) => r.processes.push(processRef(pid)))
      return knownHostsLine(ip(i), 22, await readFile(join(dir, 'ssh_host_ed25519_key.pub'), 'utf8'))
    }
    const knownLines = await Promise.all(indexes.map(startNode))
    await writeFile(knownHostsPath, `${knownLines.join('\n')}\n`)

    return indexes.map((i) => ({
      name: nodeName(i),
      ip: ip(i),
      ssh: { host: ip(i), port: 22, username: 'root', privateKeyPath: keyPath, knownHostsPath },
    }))
  }
}
