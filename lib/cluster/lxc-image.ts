// The cached base container of the `lxc` provider (DESIGN §6, shared/notes/local-cluster-recipe.md
// §D): Debian bookworm made once by the lxc-debian template (debootstrap) with openssh-server,
// iptables, procps and tar, static networking and the project's authorized key. Runs clone it
// with overlay. The recipe's hash is recorded in the container dir after a successful build; a
// missing or different hash (recipe or key changed, or a build that died half way) rebuilds it.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { alive, type ProcessRef, processRef, run } from './host.ts'

/** Everything that decides the base image's content; any change here rebuilds it. */
export const BASE_RECIPE = {
  version: 1,
  template: 'debian',
  release: 'bookworm',
  packages: ['openssh-server', 'iptables', 'procps', 'tar'],
  /** Files written into the rootfs after the template ran. */
  files: {
    // LXC sets eth0's address and route before init starts, so ifupdown must leave it alone.
    '/etc/network/interfaces': 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet manual\n',
    // Each clone gets its own ed25519 host key (recorded in the run's known_hosts); the
    // template's keys are deleted so no two nodes share one.
    '/etc/ssh/sshd_config.d/jepsen-tikv.conf': [
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'MaxStartups 100',
      'MaxSessions 100',
      '',
    ].join('\n'),
  } as Record<string, string>,
  /** Programs the DB automation and nemesis run on nodes; the build fails if one is missing. */
  requiredPrograms: [
    '/usr/sbin/sshd',
    '/usr/sbin/iptables',
    '/usr/bin/ps',
    '/usr/bin/pkill',
    '/usr/bin/tar',
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
    /** The lxc-debian template's debootstrap cache (LXC_CACHE_PATH). */
    debootstrapCache: join(cacheDir, 'lxc-debootstrap'),
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
): Promise<BaseImage> {
  const t0 = performance.now()
  const paths = imagePaths(cacheDir)
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
    await build(paths, recipe, pub)
    await writeFile(paths.recipeFile, `${hash}\n`)
    const ms = Math.round(performance.now() - t0)
    log(`lxc: base image ${hash} built in ${(ms / 1000).toFixed(1)} s`)
    return { paths, hash, built: true, ms }
  })
}

async function build(paths: ImagePaths, recipe: BaseRecipe, authorizedKey: string): Promise<void> {
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
  await mkdir(paths.debootstrapCache, { recursive: true })
  const created = await run(
    'env',
    [
      `LXC_CACHE_PATH=${paths.debootstrapCache}`,
      'lxc-create',
      '-P',
      paths.lxcPath,
      '-n',
      BASE_NAME,
      '-t',
      recipe.template,
      '--',
      '-r',
      recipe.release,
      `--packages=${recipe.packages.join(',')}`,
    ],
    { check: false },
  )
  // The template leaves its lock file behind.
  await rm('/run/lock/subsys/lxc-debian', { force: true })
  if (created.code !== 0) {
    throw new Error(
      `lxc: lxc-create of the base image failed (exit ${created.code}; needs the lxc and debootstrap packages and access to a Debian mirror):\n${(created.stdout + created.stderr).trim().split('\n').slice(-15).join('\n')}`,
    )
  }
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
