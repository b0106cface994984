// The `lxc` provider (DESIGN §6, shared/notes/local-cluster-recipe.md §D): each node is a
// privileged LXC container cloned with overlay from the cached Debian base image
// (lxc-image.ts), on the run's bridge with a static address from the run's subnet, hostname nN,
// its own ed25519 host key (recorded in the run's known_hosts) and LXC's default capability
// drops, CAP_SYS_TIME among them. Every container, interface and path is registered under the
// run id before it is created, so cleanup.ts removes them after a crash too.

import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { knownHostsLine } from '../control/known-hosts.ts'
import type { NodeInfo } from '../control/remote.ts'
import { requireRoot, run } from './host.ts'
import { BASE_NAME, ensureBaseImage, type ImagePaths } from './lxc-image.ts'
import { resourceNames } from './naming.ts'
import type { Provider, ProvisionContext } from './provider.ts'
import { DEFAULT_STATE_DIR } from './registry.ts'
import { formatCidr, hostAddress } from './subnet.ts'
import { claimSubnet } from './subnet-claim.ts'

export interface LxcProviderOptions {
  /** Number of nodes (default 5). */
  nodes?: number
  /** Registry dir (default /var/lib/jepsen-tikv); the image lives in its cache unless cacheDir is set. */
  stateDir?: string
  /** Control-host cache holding the base image (default <stateDir>/cache). */
  cacheDir?: string
  log?: (message: string) => void
  /** How long each container may take until its sshd accepts connections (default 30 s). */
  sshWaitMs?: number
}

/** What one clone's LXC config is made of. */
export interface CloneSpec {
  /** Container name (carries the run tag). */
  container: string
  hostname: string
  /** The base image's rootfs (overlay lower dir). */
  lowerRootfs: string
  /** The clone's directory in the LXC path (holds config and overlay/delta). */
  cloneDir: string
  bridge: string
  veth: string
  ip: string
  prefixLength: number
  gateway: string
}

/** Where a clone's writable layer is; files put here before start show up in the container. */
export function deltaDir(cloneDir: string): string {
  return join(cloneDir, 'overlay', 'delta')
}

/** The full LXC config of a clone (replaces the one lxc-copy wrote). */
export function cloneConfig(s: CloneSpec): string {
  for (const [key, value] of Object.entries(s)) {
    if (/[\s=]/.test(String(value)) || String(value) === '') {
      throw new Error(`lxc clone config: ${key} must be non-empty without spaces or "=", got "${value}"`)
    }
  }
  return [
    `# jepsen-tikv node ${s.hostname} (container ${s.container}), written by lib/cluster/lxc.ts`,
    // LXC's own defaults (package lxc; debian.common.conf would need lxc-templates). Its /dev/lxc/
    // console dir is unset as in Debian's config: systemd's gettys expect the ttys in /dev.
    'lxc.include = /usr/share/lxc/config/common.conf',
    'lxc.tty.dir =',
    `lxc.uts.name = ${s.hostname}`,
    `lxc.rootfs.path = overlay:${s.lowerRootfs}:${deltaDir(s.cloneDir)}`,
    // No AppArmor on the hosts this runs on; "generated" would fail there.
    'lxc.apparmor.profile = unconfined',
    // Also in LXC's common.conf; stated here because a clock nemesis must never move the host clock.
    'lxc.cap.drop = sys_time',
    'lxc.tty.max = 4',
    'lxc.pty.max = 1024',
    'lxc.net.0.type = veth',
    `lxc.net.0.link = ${s.bridge}`,
    'lxc.net.0.flags = up',
    'lxc.net.0.name = eth0',
    `lxc.net.0.veth.pair = ${s.veth}`,
    `lxc.net.0.ipv4.address = ${s.ip}/${s.prefixLength}`,
    `lxc.net.0.ipv4.gateway = ${s.gateway}`,
    '',
  ].join('\n')
}

/** /etc/hosts of every node: localhost and all nodes by name. */
export function hostsFile(nodes: { name: string; ip: string }[]): string {
  return [
    '127.0.0.1 localhost',
    '::1 localhost ip6-localhost ip6-loopback',
    ...nodes.map((n) => `${n.ip} ${n.name}`),
    '',
  ].join('\n')
}

/** LXC's per-container lock file on the host, left behind after lxc-destroy. */
export function lxcLockFile(lxcPath: string, container: string): string {
  return join('/run/lxc/lock', lxcPath, `.${container}`)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

export class LxcProvider implements Provider {
  readonly name = 'lxc'
  readonly nodeCount: number
  private readonly cacheDir: string

  constructor(private readonly opts: LxcProviderOptions = {}) {
    this.nodeCount = opts.nodes ?? 5
    if (!Number.isInteger(this.nodeCount) || this.nodeCount < 1 || this.nodeCount > 200) {
      throw new Error(`LxcProvider: nodes must be an integer 1..200, got ${opts.nodes}`)
    }
    this.cacheDir = opts.cacheDir ?? join(opts.stateDir ?? DEFAULT_STATE_DIR, 'cache')
  }

  /** Build the base image if needed (minutes when cold); LxcCluster runs this before start's timeouts. */
  async prepare(log = this.opts.log ?? (() => {})): Promise<ImagePaths> {
    requireRoot('the lxc cluster provider')
    return (await ensureBaseImage(this.cacheDir, log)).paths
  }

  async provision(ctx: ProvisionContext): Promise<NodeInfo[]> {
    const image = await this.prepare(ctx.log)
    const names = resourceNames(ctx.runId)
    const reg = ctx.registration
    const indexes = Array.from({ length: this.nodeCount }, (_, i) => i + 1)
    const nodeName = (i: number) => `n${i}`
    const nodeDir = (i: number) => join(ctx.runDir, 'nodes', nodeName(i))
    const cloneDir = (i: number) => join(image.lxcPath, names.container(i))
    const knownHostsPath = join(ctx.runDir, 'known_hosts')

    await Promise.all(indexes.map((i) => mkdir(nodeDir(i), { recursive: true, mode: 0o755 })))
    const hostKeys = Promise.all(
      indexes.map((i) =>
        run('ssh-keygen', [
          '-q',
          '-t',
          'ed25519',
          '-N',
          '',
          '-C',
          `root@${nodeName(i)}`,
          '-f',
          join(nodeDir(i), 'ssh_host_ed25519_key'),
        ]),
      ),
    )
    const subnet = await claimSubnet(ctx.runDir, reg)
    const ip = (i: number) => hostAddress(subnet, 10 + i)
    const gateway = hostAddress(subnet, 1)
    ctx.log(`lxc: ${this.nodeCount} containers on ${formatCidr(subnet)}, bridge ${names.bridge}`)

    await reg.add((r) => {
      r.links.push(names.bridge, ...indexes.map(names.veth))
      for (const i of indexes) {
        r.containers.push({ name: names.container(i), lxcPath: image.lxcPath })
        r.paths.push(cloneDir(i), lxcLockFile(image.lxcPath, names.container(i)))
      }
    })
    await run('ip', ['link', 'add', 'name', names.bridge, 'type', 'bridge'])
    await run('ip', ['addr', 'add', `${gateway}/${subnet.bits}`, 'dev', names.bridge])
    await run('ip', ['link', 'set', names.bridge, 'up'])
    await hostKeys

    const hosts = hostsFile(indexes.map((i) => ({ name: nodeName(i), ip: ip(i) })))
    const startNode = async (i: number): Promise<string> => {
      const container = names.container(i)
      const dir = cloneDir(i)
      await run('lxc-copy', ['-P', image.lxcPath, '-n', BASE_NAME, '-N', container, '-s', '-B', 'overlay'])
      const spec: CloneSpec = {
        container,
        hostname: nodeName(i),
        lowerRootfs: image.rootfs,
        cloneDir: dir,
        bridge: names.bridge,
        veth: names.veth(i),
        ip: ip(i),
        prefixLength: subnet.bits,
        gateway,
      }
      await writeFile(join(dir, 'config'), cloneConfig(spec), { mode: 0o640 })
      const delta = deltaDir(dir)
      await mkdir(join(delta, 'etc', 'ssh'), { recursive: true, mode: 0o755 })
      await writeFile(join(delta, 'etc', 'hostname'), `${nodeName(i)}\n`)
      await writeFile(join(delta, 'etc', 'hosts'), hosts)
      const key = join(nodeDir(i), 'ssh_host_ed25519_key')
      const pub = await readFile(`${key}.pub`, 'utf8')
      await writeFile(join(delta, 'etc', 'ssh', 'ssh_host_ed25519_key'), await readFile(key), { mode: 0o600 })
      await writeFile(join(delta, 'etc', 'ssh', 'ssh_host_ed25519_key.pub'), pub)

      const logFile = join(nodeDir(i), 'lxc.log')
      const started = await run(
        'lxc-start',
        ['-P', image.lxcPath, '-n', container, '-o', logFile, '-l', 'WARN'],
        {
          check: false,
        },
      )
      if (started.code !== 0) {
        const log = await readFile(logFile, 'utf8').catch(() => '')
        throw new Error(
          `lxc: container ${container} (node ${nodeName(i)}) did not start: ${started.stderr.trim()}\n${log.trim().split('\n').slice(-10).join('\n')}`,
        )
      }
      return knownHostsLine(ip(i), 22, pub)
    }
    const knownLines = await Promise.all(indexes.map(startNode))
    await writeFile(knownHostsPath, `${knownLines.join('\n')}\n`)

    const deadline = Date.now() + (this.opts.sshWaitMs ?? 30_000)
    await Promise.all(
      indexes.map(async (i) => {
        while (!(await portOpen(ip(i), 22))) {
          if (Date.now() > deadline) {
            throw new Error(
              `lxc: sshd of node ${nodeName(i)} (container ${names.container(i)}, ${ip(i)}:22) did not accept connections within ${(this.opts.sshWaitMs ?? 30_000) / 1000} s`,
            )
          }
          await sleep(50)
        }
      }),
    )
    return indexes.map((i) => ({
      name: nodeName(i),
      ip: ip(i),
      ssh: { host: ip(i), port: 22, username: 'root', privateKeyPath: image.key, knownHostsPath },
    }))
  }
}
