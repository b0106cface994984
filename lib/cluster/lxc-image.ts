// The cached base container of the `lxc` provider (DESIGN §6, shared/notes/local-cluster-recipe.md
// §D): a Debian bookworm root made once by debootstrap (minbase plus systemd, openssh-server,
// iptables, procps) from the control host's own Debian mirror (apt-mirror.ts), the project's
// authorized key, and a minimal LXC config that only lxc-copy reads. Runs clone it with overlay.
// debootstrap installs the packages itself and exits non-zero when it cannot, so no half-made
// image passes (the lxc-debian template ignored a failed package step and needs lxc-templates).
// The recipe's hash is recorded in the container dir after a successful build; a missing or
// different hash (recipe or key changed, or a build that died half way) rebuilds it.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { aptProxyEnv, chooseMirror, type Mirror } from './apt-mirror.ts'
import { alive, type ProcessRef, processRef, run } from './host.ts'

/** Everything that decides the base image's content; any change here rebuilds it. */
export const BASE_RECIPE = {
  version: 2,
  release: 'bookworm',
  variant: 'minbase',
  /** Installed by debootstrap on top of minbase (Essential + Priority required + apt). */
  packages: ['systemd-sysv', 'openssh-server', 'iptables', 'procps', 'netbase'],
  /** Files written into the rootfs after debootstrap. */
  files: {
    // Each clone gets its own ed25519 host key (recorded in the run's known_hosts); the
    // generated keys are deleted so no two nodes share one.
    '/etc/ssh/sshd_config.d/jepsen-tikv.conf': [
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'MaxStartups 100',
      'MaxSessions 100',
      '',
    ].join('\n'),
    // Empty: systemd gives each container its own id at boot instead of sharing the build's.
    '/etc/machine-id': '',
  } as Record<string, string>,
  /** Programs the DB automation and nemesis run on nodes; the build fails if one is missing. */
  requiredPrograms: [
    '/sbin/init',
    '/usr/sbin/sshd',
    '/usr/sbin/iptables',
    '/usr/bin/ps',
    '/usr/bin/pkill',
    '/usr/bin/tar',
    '/usr/bin/sha256sum',
    '/usr/sbin/start-stop-daemon',
  ],
} as const

export type BaseRecipe = typeof BASE_RECIPE

export const BASE_NAME = 'jepsen-tikv-base'

/** Hash identifying a built base image: the recipe plus the key it authorizes. */
export function recipeHash(recipe: BaseRecipe, authorizedKey: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ recipe, authorizedKey: authorizedKey.trim() }))
    .digest('hex')
    .slice(0, 16)
}

/** Where the image's pieces live under the control host's cache dir. */
export function imagePaths(cacheDir: string) {
  const lxcPath = join(cacheDir, 'lxc')
  return {
    /** LXC path (`-P`) of the base and of every run's clones. */
    lxcPath,
    baseDir: join(lxcPath, BASE_NAME),
    rootfs: join(lxcPath, BASE_NAME, 'rootfs'),
    /** Hash of the recipe the base was built from, written last. */
    recipeFile: join(lxcPath, BASE_NAME, 'jepsen-recipe'),
    /** debootstrap's --cache-dir: downloaded .debs, reused when the image is rebuilt. */
    debootstrapCache: join(cacheDir, 'lxc-debootstrap'),
    /** Full output of the last build's debootstrap. */
    buildLog: join(cacheDir, 'lxc-image-build.log'),
    /** Client key every node authorizes (root login). */
    key: join(cacheDir, 'lxc-key', 'id_ed25519'),
    lock: join(cacheDir, 'lxc-image.lock'),
  }
}

export type ImagePaths = ReturnType<typeof imagePaths>

export interface BaseImage {
  paths: ImagePaths
  hash: string
  /** True when this call built it (false: reused). */
  built: boolean
  ms: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Hold the image lock while `fn` runs (waits for a live holder, takes over from a dead one). */
async function withLock<T>(path: string, log: (m: string) => void, fn: () => Promise<T>): Promise<T> {
  const me = JSON.stringify(processRef(process.pid))
  for (let waited = 0; ; ) {
    try {
      await writeFile(path, me, { flag: 'wx' })
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = await readFile(path, 'utf8').catch(() => '')
      let owner: ProcessRef | undefined
      try {
        owner = JSON.parse(holder) as ProcessRef
      } catch {
        // a holder that died while writing it
      }
      if (!owner || !alive(owner)) {
        await unlink(path).catch(() => {})
        continue
      }
      if (waited === 0) log(`lxc: waiting for process ${owner.pid}, which is building the base image`)
      await sleep(500)
      waited += 500
    }
  }
  try {
    return await fn()
  } finally {
    await unlink(path).catch(() => {})
  }
}

/** The base image for `cacheDir`, built (or rebuilt) first if its recorded recipe differs. */
export async function ensureBaseImage(
  cacheDir: string,
  log: (message: string) => void = () => {},
  recipe: BaseRecipe = BASE_RECIPE,
  env: Record<string, string | undefined> = process.env,
): Promise<BaseImage> {
  const t0 = performance.now()
  const paths = imagePaths(cacheDir)
  const mirror = chooseMirror(recipe.release, env) // a bad JEPSEN_LXC_MIRROR is refused even when cached
  await mkdir(paths.lxcPath, { recursive: true, mode: 0o700 })
  return withLock(paths.lock, log, async () => {
    if (!existsSync(paths.key)) {
      await mkdir(join(paths.key, '..'), { recursive: true, mode: 0o700 })
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'jepsen-tikv lxc', '-f', paths.key])
    }
    const pub = await readFile(`${paths.key}.pub`, 'utf8')
    const hash = recipeHash(recipe, pub)
    const recorded = await readFile(paths.recipeFile, 'utf8').catch(() => undefined)
    if (recorded?.trim() === hash) {
      return { paths, hash, built: false, ms: Math.round(performance.now() - t0) }
    }
    log(
      recorded
        ? `lxc: base image recipe changed (${recorded.trim()} -> ${hash}), rebuilding`
        : `lxc: building base image ${paths.baseDir} (Debian ${recipe.release}; ~2-3 min cold)`,
    )
    log(`lxc: debootstrap from ${mirror.uri} (${mirror.from})`)
    await build(paths, recipe, pub, mirror)
    await writeFile(paths.recipeFile, `${hash}\n`)
    const ms = Math.round(performance.now() - t0)
    log(`lxc: base image ${hash} built in ${(ms / 1000).toFixed(1)} s`)
    return { paths, hash, built: true, ms }
  })
}

/** The debootstrap command line that makes the base rootfs. */
export function debootstrapArgs(recipe: BaseRecipe, paths: ImagePaths, mirror: string): string[] {
  return [
    `--variant=${recipe.variant}`,
    `--include=${recipe.packages.join(',')}`,
    `--cache-dir=${paths.debootstrapCache}`,
    recipe.release,
    paths.rootfs,
    mirror,
  ]
}

/**
 * The base container's LXC config. The base never runs; lxc-copy reads it to make each clone,
 * whose config lxc.ts then replaces whole.
 */
export function baseConfig(rootfs: string): string {
  return [
    '# jepsen-tikv lxc base image, written by lib/cluster/lxc-image.ts; never started, only cloned',
    'lxc.include = /usr/share/lxc/config/common.conf',
    `lxc.rootfs.path = dir:${rootfs}`,
    `lxc.uts.name = ${BASE_NAME}`,
    '',
  ].join('\n')
}

async function build(
  paths: ImagePaths,
  recipe: BaseRecipe,
  authorizedKey: string,
  mirror: Mirror,
): Promise<void> {
  if (existsSync(paths.baseDir)) {
    // lxc-destroy refuses while overlay clones of it exist (they use its rootfs).
    const { code, stderr } = await run('lxc-destroy', ['-P', paths.lxcPath, '-n', BASE_NAME], {
      check: false,
    })
    if (code !== 0 && existsSync(join(paths.baseDir, 'lxc_snapshots'))) {
      throw new Error(
        `lxc: cannot rebuild the base image ${paths.baseDir}: clones of it still exist (${stderr.trim()}); stop those runs or run \`jepsen-tikv teardown\``,
      )
    }
    await rm(paths.baseDir, { recursive: true, force: true })
  }
  await mkdir(paths.baseDir, { recursive: true, mode: 0o700 })
  await mkdir(paths.debootstrapCache, { recursive: true })
  const proxy = await aptProxyEnv()
  const bootstrap = await run(
    'env',
    [...proxy, 'debootstrap', ...debootstrapArgs(recipe, paths, mirror.uri)],
    {
      check: false,
    },
  )
  await writeFile(paths.buildLog, bootstrap.stdout + bootstrap.stderr)
  if (bootstrap.code !== 0) {
    // debootstrap's own log names the package or download that failed.
    const detail = await readFile(join(paths.rootfs, 'debootstrap', 'debootstrap.log'), 'utf8').catch(
      () => '',
    )
    const tail = (text: string) => text.trim().split('\n').slice(-12).join('\n')
    throw new Error(
      `lxc: debootstrap of the base image failed (exit ${bootstrap.code}) from the Debian mirror ${mirror.uri} (${mirror.from}; set JEPSEN_LXC_MIRROR to use another${proxy.length ? `; proxy from apt: ${proxy.join(' ')}` : ''}). Needs the debootstrap package and HTTP access to that mirror. Output (all of it in ${paths.buildLog}):\n${tail(bootstrap.stdout + bootstrap.stderr)}${detail ? `\ndebootstrap.log:\n${tail(detail)}` : ''}`,
    )
  }
  await writeFile(join(paths.baseDir, 'config'), baseConfig(paths.rootfs))
  // Downloaded packages stay in the debootstrap cache, not in every clone's lower layer.
  await rm(join(paths.rootfs, 'var/cache/apt/archives'), { recursive: true, force: true })
  await mkdir(join(paths.rootfs, 'var/cache/apt/archives/partial'), { recursive: true })
  for (const [path, content] of Object.entries(recipe.files)) {
    await mkdir(join(paths.rootfs, path, '..'), { recursive: true })
    await writeFile(join(paths.rootfs, path), content)
  }
  const { stdout } = await run('find', [join(paths.rootfs, 'etc/ssh'), '-name', 'ssh_host_*'])
  for (const key of stdout.split('\n').filter(Boolean)) await rm(key)
  const sshDir = join(paths.rootfs, 'root', '.ssh')
  await mkdir(sshDir, { recursive: true })
  await chmod(sshDir, 0o700)
  await writeFile(join(sshDir, 'authorized_keys'), authorizedKey, { mode: 0o600 })
  // Checked inside the rootfs: alternatives are absolute symlinks that would resolve on the host.
  const check = await run('chroot', [
    paths.rootfs,
    'sh',
    '-c',
    'for p; do test -x "$p" || echo "$p"; done',
    'sh',
    ...recipe.requiredPrograms,
  ])
  const missing = check.stdout.split('\n').filter(Boolean)
  if (missing.length > 0) {
    throw new Error(
      `lxc: the base image ${paths.rootfs} lacks ${missing.join(', ')} (BASE_RECIPE.packages in lib/cluster/lxc-image.ts)`,
    )
  }
}
