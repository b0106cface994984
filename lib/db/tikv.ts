// TiKV, the target (DESIGN §7, notes/tikv-deploy.md): PD and TiKV from release tarballs,
// cached on the control host and shipped to every node; PD on every node first (wait for its
// health), a barrier until PD has a leader, then TiKV on every node (wait for :20180/status),
// each under the seed's restart loop (up to 300 s), then until PD sees every store Up and the
// cluster initialized. Processes are controlled by pidfile per role ("pd" | "kv").
//
// Pitfalls handled here: listen on the node's own IP (TiKV's address lock lives under TMPDIR
// and 0.0.0.0 binds collide on nodes that share /tmp; each node also gets TMPDIR=/opt/tikv/tmp);
// `ulimit -n` before TiKV (with max-open-files capped in its config it needs ~13k descriptors); the block cache is capped per
// instance; PD exits 0 on a bad config, so both configs are checked with --config-check before
// the first start and a start that dies with a config error fails at once instead of looping.
//
// Clock faults (for the clock nemesis, option `clock`): tikv-server runs under a libfaketime
// uploaded to the node, its wall clock offset by the file the nemesis writes (faketime.ts: the
// environment, and why the monotonic clocks stay real). Off by default: it needs a tikv-server
// built without jemalloc, since TiKV links unprefixed jemalloc and libfaketime ≥ 0.9.7 deadlocks
// or recurses in jemalloc's init (libfaketime#130/#478); scripts/tikv-build builds that variant.
// PD is Go and ignores LD_PRELOAD faketime entirely. Namespace nodes share CLOCK_REALTIME, so
// skewing PD needs separate VMs.
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { type DaemonSpec, isAlive, signalCommand, startCommand, tail } from '../control/daemon.ts'
import type { NodeInfo, Remote } from '../control/remote.ts'
import { commandLine } from '../control/shell.ts'
import type { Db, DbContext, DbEndpoints, DbRole, DbSetupReport } from './db.ts'
import { DEFAULT_LIBFAKETIME, type FaketimeProcess, faketimeEnv, resetCommand } from './faketime.ts'
import { request } from './http.ts'
import { checkRole, nodeOf, onNodes, remoteOf } from './nodes.ts'
import { parseOptions } from './options.ts'
import { PdApi, type PdHealth, type PdStores } from './pd-api.ts'
import { type Arch, BINARY, type Component, DEFAULT_MIRROR, fetchTarball, tarballUrl } from './tarball.ts'
import {
  parseTikvVersion,
  pdConfig,
  TIKV_REQUIRED_OPEN_FILES,
  type TikvVersion,
  type TomlTable,
  tikvConfig,
  toToml,
} from './tikv-config.ts'
import { uploadIfChanged } from './upload.ts'
import { type StartStatus, superviseStart, waitFor } from './wait.ts'

export const DEFAULT_TIKV_VERSION = 'v8.5.1'

const sha256 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (a sha256)')

export const tikvOptionsSchema = z
  .object({
    /** Release tag, e.g. "v8.5.1" (v4.0.0 or newer). */
    version: z.string().default(DEFAULT_TIKV_VERSION),
    /** Base URL of a TiUP mirror that serves `<component>-<version>-linux-<arch>.tar.gz`. */
    mirror: z.string().default(DEFAULT_MIRROR),
    arch: z.enum(['amd64', 'arm64']).default('amd64'),
    /** Local path or URL of the PD tarball, instead of the mirror's. */
    pdTarball: z.string().min(1).optional(),
    /** Local path or URL of the TiKV tarball, instead of the mirror's. */
    tikvTarball: z.string().min(1).optional(),
    pdSha256: sha256.optional(),
    tikvSha256: sha256.optional(),
    /** RocksDB block cache per TiKV instance. */
    blockCacheMiB: z.number().int().min(16).default(256),
    /**
     * Open-files limit set before TiKV starts. TiKV refuses to start below 1000 + its RocksDB
     * and Raft DB max-open-files (Titan doubles the former): 13,288 with the configs written
     * here (tikv-config.ts caps both at 4096; upstream's 40,960 each would need 123,880).
     */
    openFiles: z.number().int().min(TIKV_REQUIRED_OPEN_FILES).default(65_536),
    /** Restart loop deadline per process during setup (the seed's 300 s). */
    setupTimeoutMs: z.number().int().positive().default(300_000),
    /** Restart loop deadline for start() after a kill. */
    restartTimeoutMs: z.number().int().positive().default(120_000),
    /** Run `--config-check` on both configs before the first start. */
    configCheck: z.boolean().default(true),
    /**
     * Run tikv-server under libfaketime (faketime.ts) so the clock nemesis (clock-skew,
     * clock-strobe) can move its wall clock. Needs a tikv-server built without jemalloc
     * (scripts/tikv-build, VARIANT=nojemalloc): release builds link unprefixed jemalloc, and
     * libfaketime ≥ 0.9.7 (Debian's included) deadlocks or recurses in its init
     * (libfaketime#130/#478).
     */
    clock: z.boolean().default(false),
    /** libfaketime on the control host, uploaded to every node when `clock` is on. */
    libfaketime: z.string().min(1).default(DEFAULT_LIBFAKETIME),
    /** Deep-merged over the generated pd.toml / tikv.toml. */
    pdConfig: z.record(z.string(), z.unknown()).optional(),
    tikvConfig: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()

export type TikvOptions = z.input<typeof tikvOptionsSchema>
type Resolved = z.output<typeof tikvOptionsSchema>

/** Environment variables that set TiKV options (explicit options win). */
export const TIKV_ENV: Record<string, keyof TikvOptions> = {
  TIKV_VERSION: 'version',
  TIKV_CLOCK: 'clock',
  TIKV_LIBFAKETIME: 'libfaketime',
  TIKV_MIRROR: 'mirror',
  TIKV_PD_TARBALL: 'pdTarball',
  TIKV_TARBALL: 'tikvTarball',
  TIKV_PD_SHA256: 'pdSha256',
  TIKV_SHA256: 'tikvSha256',
}

export function tikvOptionsFromEnv(env: Record<string, string | undefined>): Partial<TikvOptions> {
  const out: Record<string, string | boolean> = {}
  for (const [name, key] of Object.entries(TIKV_ENV)) {
    const v = env[name]
    if (v === undefined || v === '') continue
    if (key !== 'clock') out[key] = v
    else if (/^(1|true|yes)$/.test(v)) out[key] = true
    else if (/^(0|false|no)$/.test(v)) out[key] = false
    else throw new Error(`${name}=${JSON.stringify(v)}: allowed values: 1, true, yes, 0, false, no`)
  }
  return out as Partial<TikvOptions>
}

/** Where everything lives on a node. */
export const TIKV_PATHS = {
  dir: '/opt/tikv',
  bin: '/opt/tikv/bin',
  tmp: '/opt/tikv/tmp',
  /** libfaketime on the node (option `clock`). */
  libfaketime: '/opt/tikv/lib/libfaketime.so.1',
  /** FAKETIME_TIMESTAMP_FILE of tikv-server: the clock nemesis writes offsets ("+12") here. */
  faketime: '/opt/tikv/faketime',
  pd: {
    bin: '/opt/tikv/bin/pd-server',
    tarball: '/opt/tikv/pd.tar.gz',
    config: '/opt/tikv/pd.toml',
    log: '/opt/tikv/pd.log',
    stdout: '/opt/tikv/pd.stdout',
    pidfile: '/opt/tikv/pd.pid',
    data: '/opt/tikv/data/pd',
  },
  kv: {
    bin: '/opt/tikv/bin/tikv-server',
    tarball: '/opt/tikv/tikv.tar.gz',
    config: '/opt/tikv/tikv.toml',
    log: '/opt/tikv/kv.log',
    stdout: '/opt/tikv/kv.stdout',
    pidfile: '/opt/tikv/kv.pid',
    data: '/opt/tikv/data/kv',
  },
} as const

/** tikv-server under libfaketime on a node (option `clock`): what the clock nemesis moves and checks. */
const TIKV_FAKETIME: FaketimeProcess = {
  offsetFile: TIKV_PATHS.faketime,
  library: TIKV_PATHS.libfaketime,
  pidfile: TIKV_PATHS.kv.pidfile,
}

export const PORTS = { pdClient: 2379, pdPeer: 2380, kv: 20160, kvStatus: 20180 } as const

const pdClientUrl = (ip: string) => `http://${ip}:${PORTS.pdClient}`
const pdPeerUrl = (ip: string) => `http://${ip}:${PORTS.pdPeer}`

/** What PD and TiKV daemons share: paths under /opt/tikv and the node's own TMPDIR. */
function roleDaemon(role: 'pd' | 'kv', args: string[], extra: Partial<DaemonSpec> = {}): DaemonSpec {
  const p = TIKV_PATHS[role]
  return {
    exec: p.bin,
    pidfile: p.pidfile,
    chdir: TIKV_PATHS.dir,
    stdout: p.stdout,
    args,
    ...extra,
    env: { TMPDIR: TIKV_PATHS.tmp, ...extra.env },
  }
}

/** PD's command line (flags valid from v4 on: Go's flag package also accepts "--name"). */
export function pdDaemon(node: NodeInfo, nodes: NodeInfo[]): DaemonSpec {
  const p = TIKV_PATHS.pd
  return roleDaemon('pd', [
    '--name',
    node.name,
    '--data-dir',
    p.data,
    '--client-urls',
    pdClientUrl(node.ip),
    '--peer-urls',
    pdPeerUrl(node.ip),
    '--advertise-client-urls',
    pdClientUrl(node.ip),
    '--advertise-peer-urls',
    pdPeerUrl(node.ip),
    '--initial-cluster',
    nodes.map((n) => `${n.name}=${pdPeerUrl(n.ip)}`).join(','),
    '--log-file',
    p.log,
    '--config',
    p.config,
  ])
}

/**
 * TiKV's command line: literal IP addresses (a hostname panics), advertised as themselves;
 * under libfaketime when `clock` (faketime.ts; start-stop-daemon, which execs it, is preloaded
 * as well).
 */
export function kvDaemon(node: NodeInfo, nodes: NodeInfo[], openFiles: number, clock = false): DaemonSpec {
  const k = TIKV_PATHS.kv
  return roleDaemon(
    'kv',
    [
      '--pd-endpoints',
      nodes.map((n) => `${n.ip}:${PORTS.pdClient}`).join(','),
      '--addr',
      `${node.ip}:${PORTS.kv}`,
      '--advertise-addr',
      `${node.ip}:${PORTS.kv}`,
      '--status-addr',
      `${node.ip}:${PORTS.kvStatus}`,
      '--advertise-status-addr',
      `${node.ip}:${PORTS.kvStatus}`,
      '--data-dir',
      k.data,
      '--log-file',
      k.log,
      '--config',
      k.config,
    ],
    { openFiles, env: clock ? faketimeEnv(TIKV_FAKETIME.library, TIKV_FAKETIME.offsetFile) : {} },
  )
}

/** Output of PD/TiKV that means a restart cannot help: fail at once (PD exits 0 on these). */
export const FATAL_START =
  /undefined item|unknown configuration option|invalid configuration|config check failed|TOML parse error|failed to parse|maybe another instance is using this directory|maximum number of open file descriptors is too small/i

/** True when PD's /pd/api/v1/health answer lists this member as healthy. */
export function pdMemberHealthy(health: PdHealth[] | unknown, name: string): boolean {
  return Array.isArray(health) && health.some((m: PdHealth) => m?.name === name && m.health === true)
}

/** Why the stores are not ready yet (undefined when `expected` stores are all Up). */
export function storesProblem(stores: PdStores, expected: number): string | undefined {
  const list = stores.stores ?? []
  const up = list.filter((s) => s.store.state_name === 'Up')
  if (up.length >= expected) return undefined
  const states = list.map((s) => `${s.store.address} ${s.store.state_name}`).join(', ')
  return `${up.length}/${expected} TiKV stores Up${states ? ` (${states})` : ''}`
}

/** `--config-check` output must say so, since PD exits 0 whatever it finds. */
export function configCheckPassed(output: string): boolean {
  return /config check successful/i.test(output)
}

export class TikvDb implements Db {
  readonly name = 'tikv' as const
  readonly roles: readonly DbRole[] = ['pd', 'kv']
  readonly options: Resolved
  readonly version: TikvVersion
  /** tikv-server under libfaketime (only with the `clock` option: see nemesis/clock.ts). */
  readonly faketime?: FaketimeProcess

  constructor(options: TikvOptions = {}) {
    this.options = parseOptions(tikvOptionsSchema, options, 'TiKV')
    this.version = parseTikvVersion(this.options.version, 'TiKV version')
    if (this.options.clock) this.faketime = TIKV_FAKETIME
  }

  /** Where each tarball comes from: the local path/URL given, else the mirror. */
  tarballSources(): Record<Component, string> {
    const { pdTarball, tikvTarball, arch, mirror } = this.options
    return {
      pd: pdTarball ?? tarballUrl('pd', this.version.tag, arch as Arch, mirror),
      tikv: tikvTarball ?? tarballUrl('tikv', this.version.tag, arch as Arch, mirror),
    }
  }

  pdConfigToml(): string {
    return toToml(pdConfig(this.version, this.options.pdConfig as TomlTable), `PD ${this.version.tag}`)
  }

  tikvConfigToml(): string {
    const cfg = tikvConfig(
      this.version,
      { blockCacheMiB: this.options.blockCacheMiB },
      this.options.tikvConfig as TomlTable,
    )
    return toToml(cfg, `TiKV ${this.version.tag}`)
  }

  /** PD API client over every node's PD, for the nemesis (schedulers, leader moves). */
  pdApi(ctx: DbContext): PdApi {
    return new PdApi(ctx.nodes.map((n) => pdClientUrl(n.ip)))
  }

  async setup(ctx: DbContext): Promise<DbSetupReport> {
    if (this.options.clock && !existsSync(this.options.libfaketime))
      throw new Error(
        `TiKV option clock: libfaketime ${this.options.libfaketime} does not exist on the control host (Debian package libfaketime; set the libfaketime option or TIKV_LIBFAKETIME)`,
      )
    const sources = this.tarballSources()
    const [pdTar, kvTar] = await Promise.all([
      fetchTarball(sources.pd, ctx.cacheDir, { sha256: this.options.pdSha256, log: ctx.log }),
      fetchTarball(sources.tikv, ctx.cacheDir, { sha256: this.options.tikvSha256, log: ctx.log }),
    ])
    await this.teardown(ctx)
    await onNodes(ctx, 'TiKV install', async (node, remote) => {
      const p = TIKV_PATHS
      await remote.exec(commandLine(['mkdir', '-p', p.bin, p.tmp, p.pd.data, p.kv.data]), { sudo: true })
      await remote.exec(commandLine(['truncate', '-s', '0', p.pd.log, p.pd.stdout, p.kv.log, p.kv.stdout]), {
        sudo: true,
      })
      await this.install(remote, pdTar, 'pd')
      await this.install(remote, kvTar, 'tikv')
      if (this.options.clock) await this.installFaketime(remote)
      await remote.writeFile(p.pd.config, this.pdConfigToml())
      await remote.writeFile(p.kv.config, this.tikvConfigToml())
      if (this.options.configCheck) await this.checkConfigs(ctx, node, remote)
    })
    const restarts: Record<string, number> = {}
    const start = (role: 'pd' | 'kv') => async (node: NodeInfo, remote: Remote) => {
      const n = await this.supervise(ctx, node, remote, role, 'setup')
      if (n > 0) restarts[`${role === 'pd' ? 'PD' : 'TiKV'} on ${node.name}`] = n
    }
    ctx.log(`tikv: starting PD on ${ctx.nodes.length} nodes`)
    await onNodes(ctx, 'PD start', start('pd'))
    const api = this.pdApi(ctx)
    const leader = await waitFor(
      'a PD leader',
      this.options.setupTimeoutMs,
      async () => (await api.leader()).name,
    )
    ctx.log(`tikv: PD leader is ${leader}; starting TiKV`)
    await onNodes(ctx, 'TiKV start', start('kv'))
    await waitFor('every TiKV store Up in PD', this.options.setupTimeoutMs, async () => {
      const problem = storesProblem(await api.stores(), ctx.nodes.length)
      if (problem) throw new Error(problem)
      if (!(await api.clusterStatus()).is_initialized) throw new Error('PD cluster not initialized yet')
      return true
    })
    return { restarts }
  }

  async teardown(ctx: DbContext): Promise<void> {
    await onNodes(ctx, 'TiKV teardown', async (node, remote) => {
      await remote.exec(signalCommand(this.daemon(ctx, node, 'kv'), 'KILL'), { sudo: true })
      await remote.exec(signalCommand(this.daemon(ctx, node, 'pd'), 'KILL'), { sudo: true })
      await remote.exec(commandLine(['rm', '-rf', TIKV_PATHS.pd.data, TIKV_PATHS.kv.data, TIKV_PATHS.tmp]), {
        sudo: true,
      })
    })
  }

  async kill(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    await this.signal(ctx, node, role, 'KILL')
  }

  async start(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    checkRole(this, role)
    await this.supervise(ctx, nodeOf(ctx, node), remoteOf(ctx, node), role as 'pd' | 'kv', 'restart')
  }

  async pause(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    await this.signal(ctx, node, role, 'STOP')
  }

  async resume(ctx: DbContext, node: string, role: DbRole): Promise<void> {
    await this.signal(ctx, node, role, 'CONT')
  }

  /** PD and TiKV logs and captured stdout/stderr (where config errors and panics go), and TiKV's effective config. */
  logFiles(_node: string): string[] {
    const { pd, kv } = TIKV_PATHS
    return [pd.log, pd.stdout, kv.log, kv.stdout, `${kv.data}/last_tikv.toml`]
  }

  /** The node whose PD leads, per PD's /pd/api/v1/leader (undefined when no PD answers). */
  async leader(ctx: DbContext): Promise<string | undefined> {
    try {
      const { name } = await this.pdApi(ctx).leader()
      return ctx.nodes.some((n) => n.name === name) ? name : undefined
    } catch (e) {
      ctx.log(`tikv: no PD leader: ${(e as Error).message}`)
      return undefined
    }
  }

  /**
   * PD addresses ("ip:2379") with the node's own PD first (Jepsen's binding, DESIGN §8): the
   * client asks that PD where regions live and then talks to their leaders on whichever node,
   * as tikv-client must; the other PDs let it find the PD leader when its own is down.
   */
  endpoints(ctx: Pick<DbContext, 'nodes'>, node: string): DbEndpoints {
    const own = nodeOf(ctx, node)
    return { endpoints: [own, ...ctx.nodes.filter((n) => n !== own)].map((n) => `${n.ip}:${PORTS.pdClient}`) }
  }

  private daemon(ctx: DbContext, node: NodeInfo, role: 'pd' | 'kv'): DaemonSpec {
    return role === 'pd'
      ? pdDaemon(node, ctx.nodes)
      : kvDaemon(node, ctx.nodes, this.options.openFiles, this.options.clock)
  }

  /**
   * Ships libfaketime to the node and starts its clock at offset zero, first stopping a strobe
   * loop a crashed run may have left behind.
   */
  private async installFaketime(remote: Remote): Promise<void> {
    const { library, offsetFile } = TIKV_FAKETIME
    await remote.exec(commandLine(['mkdir', '-p', dirname(library)]), { sudo: true })
    await uploadIfChanged(remote, this.options.libfaketime, library)
    await remote.exec(resetCommand(offsetFile), { sudo: true })
    await remote.writeFile(offsetFile, '+0\n')
  }

  private async signal(ctx: DbContext, node: string, role: DbRole, signal: 'KILL' | 'STOP' | 'CONT') {
    checkRole(this, role)
    const spec = this.daemon(ctx, nodeOf(ctx, node), role as 'pd' | 'kv')
    await remoteOf(ctx, node).exec(signalCommand(spec, signal), { sudo: true })
  }

  /** Uploads the tarball when the node lacks it and unpacks it when the binary is new or missing. */
  private async install(remote: Remote, tarball: string, component: Component): Promise<void> {
    const role = component === 'pd' ? 'pd' : 'kv'
    const { tarball: remoteTar, bin } = TIKV_PATHS[role]
    const uploaded = await uploadIfChanged(remote, tarball, remoteTar)
    const present = (await remote.exec(commandLine(['test', '-x', bin]), { check: false })).code === 0
    if (!uploaded && present) return
    await remote.exec(commandLine(['tar', '-xzf', remoteTar, '-C', TIKV_PATHS.bin]), {
      sudo: true,
      timeoutMs: 300_000,
    })
    if ((await remote.exec(commandLine(['test', '-x', bin]), { check: false })).code !== 0) {
      const list = await remote.exec(`${commandLine(['tar', '-tzf', remoteTar])} | head -20`, {
        check: false,
      })
      throw new Error(`${tarball} has no ${BINARY[component]} at its root; it contains:\n${list.stdout}`)
    }
  }

  /** Both binaries' --config-check on the generated configs; PD exits 0 even when it fails. */
  private async checkConfigs(ctx: DbContext, node: NodeInfo, remote: Remote): Promise<void> {
    for (const d of [this.daemon(ctx, node, 'pd'), this.daemon(ctx, node, 'kv')]) {
      const r = await remote.exec(`${commandLine([d.exec, '--config-check', ...d.args])} 2>&1`, {
        check: false,
        sudo: true,
      })
      if (r.code !== 0 || !configCheckPassed(r.stdout)) {
        throw new Error(
          `${d.exec} --config-check rejected the generated config (exit ${r.code}):\n${r.stdout.trim()}`,
        )
      }
    }
  }

  /**
   * Starts one process under the restart loop. Setup waits for full readiness (PD: this member
   * healthy; TiKV: /status 200). A restart after a kill waits for PD to answer HTTP at all (it
   * cannot be healthy while a majority is down) or for TiKV's /status.
   */
  private async supervise(
    ctx: DbContext,
    node: NodeInfo,
    remote: Remote,
    role: 'pd' | 'kv',
    phase: 'setup' | 'restart',
  ): Promise<number> {
    const spec = this.daemon(ctx, node, role)
    const ready = async (): Promise<boolean> => {
      if (role === 'kv') {
        const res = await request(`http://${node.ip}:${PORTS.kvStatus}/status`, { timeoutMs: 2000 })
        return res.status === 200
      }
      const res = await request(`${pdClientUrl(node.ip)}/pd/api/v1/health`, { timeoutMs: 2000 })
      if (phase === 'restart') return true
      return res.status === 200 && pdMemberHealthy(JSON.parse(res.body), node.name)
    }
    const status = async (): Promise<StartStatus> => {
      if (await ready().catch(() => false)) return 'ready'
      return (await isAlive(remote, spec)) ? 'starting' : 'crashed'
    }
    return superviseStart({
      what: `${role === 'pd' ? 'PD' : 'TiKV'} on ${node.name}`,
      start: async () => {
        await remote.exec(startCommand(spec), { sudo: true })
      },
      status,
      timeoutMs: phase === 'setup' ? this.options.setupTimeoutMs : this.options.restartTimeoutMs,
      restart: true,
      logTail: async () =>
        `${await tail(remote, spec.stdout)}${await tail(remote, role === 'pd' ? TIKV_PATHS.pd.log : TIKV_PATHS.kv.log, 10)}`,
      fatal: FATAL_START,
      log: ctx.log,
    })
  }
}

/** The TiKV DB (see TikvOptions; unknown option names are rejected). */
export function tikv(options: TikvOptions = {}): TikvDb {
  return new TikvDb(options)
}
