// Choosing the lxc base image's Debian mirror from the host's apt sources (both formats), the
// JEPSEN_LXC_MIRROR override and its error, and apt's proxy handed to debootstrap.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import {
  aptProxyEnv,
  chooseMirror,
  DEFAULT_DEBIAN_MIRROR,
  debianMirrorIn,
  hostSourcesFiles,
  MIRROR_ENV,
} from './apt-mirror.ts'

// This machine's own /etc/apt/sources.list.d/debian.sources, plus a third-party stanza.
const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`

describe('the host mirror', () => {
  test('deb822: the stanza serving the release itself, not -security', () => {
    const security = DEB822.split('\n\n')[1]
    expect(
      debianMirrorIn([{ path: '/etc/apt/sources.list.d/debian.sources', text: DEB822 }], 'bookworm'),
    ).toEqual({
      uri: 'http://deb.debian.org/debian',
      from: '/etc/apt/sources.list.d/debian.sources',
    })
    expect(debianMirrorIn([{ path: 'x.sources', text: security }], 'bookworm')).toBeUndefined()
  })

  test('deb822: disabled stanzas, deb-src only, other components and continuation lines', () => {
    const text = [
      'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no',
      'Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\nComponents: main',
      'Types: deb\nURIs: http://contrib.example/debian\nSuites: bookworm\nComponents: contrib',
      'Types: deb\nURIs: mirror+file:///etc/apt/mirrors.txt https://ok.example/debian/\nSuites: bookworm\nComponents: main\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n Suites: nonsense\n -----END PGP PUBLIC KEY BLOCK-----',
    ].join('\n\n')
    expect(debianMirrorIn([{ path: 'a.sources', text }], 'bookworm')).toEqual({
      uri: 'https://ok.example/debian',
      from: 'a.sources',
    })
  })

  test('one-line format with options and comments; apt order decides between files', () => {
    const list = [
      '# deb http://commented.example/debian bookworm main',
      'deb-src http://src.example/debian bookworm main',
      'deb [arch=amd64 signed-by=/k.gpg] http://apt-cacher:3142/deb.debian.org/debian bookworm main contrib',
      'deb http://later.example/debian bookworm main',
    ].join('\n')
    const files = [
      { path: '/etc/apt/sources.list', text: list },
      { path: '/etc/apt/sources.list.d/debian.sources', text: DEB822 },
    ]
    expect(debianMirrorIn(files, 'bookworm')?.uri).toBe('http://apt-cacher:3142/deb.debian.org/debian')
    expect(debianMirrorIn(files, 'trixie')).toBeUndefined()
  })

  test('reads sources.list and sources.list.d/*.{list,sources} in apt order', async () => {
    const apt = await mkdtemp(join(tmpdir(), 'apt-'))
    await mkdir(join(apt, 'sources.list.d'))
    await writeFile(join(apt, 'sources.list.d', 'b.sources'), DEB822)
    await writeFile(join(apt, 'sources.list.d', 'a.list'), 'deb http://a.example/debian bookworm main\n')
    await writeFile(
      join(apt, 'sources.list.d', 'c.list.save'),
      'deb http://save.example/debian bookworm main\n',
    )
    expect(hostSourcesFiles(apt).map((f) => f.path)).toEqual([
      join(apt, 'sources.list.d', 'a.list'),
      join(apt, 'sources.list.d', 'b.sources'),
    ])
  })
})

describe('chooseMirror', () => {
  const files = [{ path: '/etc/apt/sources.list.d/debian.sources', text: DEB822 }]

  test('the variable, then the host entry, then deb.debian.org (saying why)', () => {
    expect(chooseMirror('bookworm', { [MIRROR_ENV]: 'http://m.example/debian/' }, files)).toEqual({
      uri: 'http://m.example/debian',
      from: MIRROR_ENV,
    })
    expect(chooseMirror('bookworm', {}, files).uri).toBe('http://deb.debian.org/debian')
    const ubuntu = [
      { path: '/etc/apt/sources.list', text: 'deb http://archive.ubuntu.com/ubuntu noble main\n' },
    ]
    const fallback = chooseMirror('bookworm', {}, ubuntu)
    expect(fallback.uri).toBe(DEFAULT_DEBIAN_MIRROR)
    expect(fallback.from).toMatch(/no "deb \.\.\. bookworm main" entry/)
  })

  test('a bad variable is refused, naming it and the allowed forms', () => {
    expect(() => chooseMirror('bookworm', { [MIRROR_ENV]: 'deb.debian.org/debian' }, files)).toThrow(
      /^JEPSEN_LXC_MIRROR: expected a Debian mirror URL \(http:\/\/, https:\/\/ or file:\/\/\), got "deb\.debian\.org\/debian"$/,
    )
  })
})

describe('aptProxyEnv', () => {
  const saved = process.env.APT_CONFIG
  afterEach(() => {
    if (saved === undefined) delete process.env.APT_CONFIG
    else process.env.APT_CONFIG = saved
  })

  test.skipIf(!existsSync('/usr/bin/apt-config'))(
    "apt's proxy reaches debootstrap unless the caller set one",
    async () => {
      const conf = join(await mkdtemp(join(tmpdir(), 'aptconf-')), 'apt.conf')
      // APT_CONFIG is read first; pointing Parts away keeps the host's apt.conf.d out of the test.
      const only = (setting: string) => writeFile(conf, `Dir::Etc::Parts "/nonexistent";\n${setting}\n`)
      await only('Acquire::http::Proxy "http://proxy.example:3128/";')
      process.env.APT_CONFIG = conf
      expect(await aptProxyEnv({})).toEqual(['http_proxy=http://proxy.example:3128/'])
      expect(await aptProxyEnv({ http_proxy: 'http://mine:1/' })).toEqual([])
      await only('Acquire::http::Proxy "DIRECT";')
      expect(await aptProxyEnv({})).toEqual([])
    },
  )
})
