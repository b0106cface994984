// The pure parts of the lxc provider: a clone's LXC config, the nodes' /etc/hosts, where the
// image's pieces live, the recipe hash that decides when the base image is rebuilt, and how the
// base image is bootstrapped.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { run } from './host.ts'
import { type CloneSpec, cloneConfig, deltaDir, hostsFile, lxcLockFile } from './lxc.ts'
import {
  BASE_NAME,
  BASE_RECIPE,
  baseConfig,
  debootstrapArgs,
  ensureBaseImage,
  imagePaths,
  recipeHash,
} from './lxc-image.ts'

const spec: CloneSpec = {
  container: 'jtabc123c2',
  hostname: 'n2',
  lowerRootfs: '/var/lib/jepsen-tikv/cache/lxc/jepsen-tikv-base/rootfs',
  cloneDir: '/var/lib/jepsen-tikv/cache/lxc/jtabc123c2',
  bridge: 'jtabc123br',
  veth: 'jtabc123v2',
  ip: '10.231.4.12',
  prefixLength: 24,
  gateway: '10.231.4.1',
}

/** key -> values of an LXC config (keys may repeat). */
function parse(config: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const line of config.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue
    const m = /^([a-z0-9.]+) =(?: (.+))?$/.exec(line)
    if (!m) throw new Error(`not a "key = value" line: ${line}`)
    out.set(m[1], [...(out.get(m[1]) ?? []), m[2] ?? ''])
  }
  return out
}

describe('clone config', () => {
  test('one veth on the run bridge with the node static address, its own name and hostname', () => {
    const c = parse(cloneConfig(spec))
    expect(c.get('lxc.uts.name')).toEqual(['n2'])
    expect(c.get('lxc.net.0.type')).toEqual(['veth'])
    expect(c.get('lxc.net.0.link')).toEqual(['jtabc123br'])
    expect(c.get('lxc.net.0.veth.pair')).toEqual(['jtabc123v2'])
    expect(c.get('lxc.net.0.name')).toEqual(['eth0'])
    expect(c.get('lxc.net.0.flags')).toEqual(['up'])
    expect(c.get('lxc.net.0.ipv4.address')).toEqual(['10.231.4.12/24'])
    expect(c.get('lxc.net.0.ipv4.gateway')).toEqual(['10.231.4.1'])
    // No second interface (e.g. one inherited from /etc/lxc/default.conf).
    expect([...c.keys()].filter((k) => k.startsWith('lxc.net.') && !k.startsWith('lxc.net.0.'))).toEqual([])
  })

  test('rootfs is an overlay of the base rootfs with the clone delta on top', () => {
    const c = parse(cloneConfig(spec))
    expect(c.get('lxc.rootfs.path')).toEqual([
      `overlay:${spec.lowerRootfs}:/var/lib/jepsen-tikv/cache/lxc/jtabc123c2/overlay/delta`,
    ])
    expect(deltaDir(spec.cloneDir)).toBe('/var/lib/jepsen-tikv/cache/lxc/jtabc123c2/overlay/delta')
  })

  test('CAP_SYS_TIME is dropped and only configs of the lxc package itself are included', () => {
    const c = parse(cloneConfig(spec))
    expect(c.get('lxc.cap.drop')?.join(' ').split(' ')).toContain('sys_time')
    // lxc-templates (debian.common.conf) is not installed by scripts/setup.sh.
    expect(c.get('lxc.include')).toEqual(['/usr/share/lxc/config/common.conf'])
    expect(c.get('lxc.tty.dir')).toEqual([''])
    expect(c.get('lxc.apparmor.profile')).toEqual(['unconfined'])
  })

  test('clones of different nodes differ only in their node parts', () => {
    const other = cloneConfig({
      ...spec,
      container: 'jtabc123c3',
      hostname: 'n3',
      cloneDir: '/var/lib/jepsen-tikv/cache/lxc/jtabc123c3',
      veth: 'jtabc123v3',
      ip: '10.231.4.13',
    })
    const settings = (config: string) => config.split('\n').filter((l) => !l.startsWith('#'))
    const theirs = settings(other)
    const changed = settings(cloneConfig(spec))
      .filter((line, i) => line !== theirs[i])
      .map((line) => line.split(' = ')[0])
    expect(changed).toEqual([
      'lxc.uts.name',
      'lxc.rootfs.path',
      'lxc.net.0.veth.pair',
      'lxc.net.0.ipv4.address',
    ])
  })

  test('a value that would break the config line is refused, naming the field', () => {
    expect(() => cloneConfig({ ...spec, bridge: 'br0\nlxc.cap.drop =' })).toThrow(
      /bridge must be non-empty without spaces/,
    )
    expect(() => cloneConfig({ ...spec, hostname: '' })).toThrow(/hostname/)
    expect(() => cloneConfig({ ...spec, cloneDir: '/my dir' })).toThrow(/cloneDir/)
  })
})

test('hosts file names every node', () => {
  expect(
    hostsFile([
      { name: 'n1', ip: '10.0.0.11' },
      { name: 'n2', ip: '10.0.0.12' },
    ]),
  ).toBe('127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.0.0.11 n1\n10.0.0.12 n2\n')
})

test('image paths: base and clones share one LXC path under the cache dir', () => {
  const p = imagePaths('/s/cache')
  expect(p.lxcPath).toBe('/s/cache/lxc')
  expect(p.baseDir).toBe(`/s/cache/lxc/${BASE_NAME}`)
  expect(p.rootfs).toBe(`/s/cache/lxc/${BASE_NAME}/rootfs`)
  expect(p.recipeFile.startsWith(p.baseDir)).toBe(true)
  expect(p.debootstrapCache.startsWith(`${p.lxcPath}/`)).toBe(false) // lxc-ls would take it for a container
  expect(lxcLockFile(p.lxcPath, 'jtabc123c1')).toBe('/run/lxc/lock/s/cache/lxc/.jtabc123c1')
})

describe('recipe hash', () => {
  const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE jepsen-tikv lxc\n'

  test('is stable for the same recipe and key', () => {
    expect(recipeHash(BASE_RECIPE, key)).toMatch(/^[0-9a-f]{16}$/)
    expect(recipeHash(structuredClone(BASE_RECIPE), key)).toBe(recipeHash(BASE_RECIPE, key))
    expect(recipeHash(BASE_RECIPE, key.trim())).toBe(recipeHash(BASE_RECIPE, key))
  })

  test('changes with the key, the package list, a file or the version', () => {
    const base = recipeHash(BASE_RECIPE, key)
    const variants = [
      recipeHash(BASE_RECIPE, key.replace('AAAAIE', 'AAAAIF')),
      recipeHash({ ...BASE_RECIPE, packages: [...BASE_RECIPE.packages, 'curl'] } as never, key),
      recipeHash({ ...BASE_RECIPE, files: { ...BASE_RECIPE.files, '/etc/machine-id': 'x\n' } }, key),
      recipeHash({ ...BASE_RECIPE, version: 99 } as never, key),
    ]
    for (const v of variants) expect(v).not.toBe(base)
    expect(new Set(variants).size).toBe(variants.length)
  })

  test('the recipe installs what nodes need and requires the programs DB and nemesis run', () => {
    expect(BASE_RECIPE.packages).toEqual(
      expect.arrayContaining(['systemd-sysv', 'openssh-server', 'iptables', 'procps']),
    )
    expect(BASE_RECIPE.requiredPrograms).toEqual(
      expect.arrayContaining([
        '/sbin/init',
        '/usr/sbin/sshd',
        '/usr/sbin/iptables',
        '/usr/sbin/start-stop-daemon',
      ]),
    )
    // Clones boot with their own machine id.
    expect(BASE_RECIPE.files['/etc/machine-id']).toBe('')
  })
})

describe('base image build', () => {
  const paths = imagePaths('/s/cache')

  test('debootstrap installs the packages itself, from the given mirror, keeping its downloads', () => {
    expect(debootstrapArgs(BASE_RECIPE, paths, 'http://mirror.example/debian')).toEqual([
      '--variant=minbase',
      '--include=systemd-sysv,openssh-server,iptables,procps,netbase',
      '--cache-dir=/s/cache/lxc-debootstrap',
      'bookworm',
      `/s/cache/lxc/${BASE_NAME}/rootfs`,
      'http://mirror.example/debian',
    ])
  })

  test('a recorded recipe hash reuses the image; a bad JEPSEN_LXC_MIRROR is refused even then', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'lxc-cache-'))
    try {
      const p = imagePaths(cacheDir)
      await mkdir(join(p.key, '..'), { recursive: true })
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p.key])
      await mkdir(p.baseDir, { recursive: true })
      await writeFile(p.recipeFile, `${recipeHash(BASE_RECIPE, await readFile(`${p.key}.pub`, 'utf8'))}\n`)
      expect((await ensureBaseImage(cacheDir, undefined, BASE_RECIPE, {})).built).toBe(false)
      await expect(
        ensureBaseImage(cacheDir, undefined, BASE_RECIPE, { JEPSEN_LXC_MIRROR: 'deb.debian.org' }),
      ).rejects.toThrow(/^JEPSEN_LXC_MIRROR: expected a Debian mirror URL/)
    } finally {
      await rm(cacheDir, { recursive: true, force: true })
    }
  })

  test('the base config is what lxc-copy needs: a dir rootfs and only the lxc package configs', () => {
    const c = parse(baseConfig(paths.rootfs))
    expect(c.get('lxc.rootfs.path')).toEqual([`dir:/s/cache/lxc/${BASE_NAME}/rootfs`])
    expect(c.get('lxc.include')).toEqual(['/usr/share/lxc/config/common.conf'])
    expect(c.get('lxc.uts.name')).toEqual([BASE_NAME])
  })
})
