// Which Debian mirror (and HTTP proxy) the lxc base image is bootstrapped from: the one the
// control host's own apt uses, so a machine that installs packages can also build the image.
// JEPSEN_LXC_MIRROR overrides it; a host without a Debian entry for the release (e.g. Ubuntu)
// falls back to deb.debian.org. Reads both apt source formats (one-line `.list`, deb822 `.sources`).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from './host.ts'

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian'
export const MIRROR_ENV = 'JEPSEN_LXC_MIRROR'

/** One apt sources file: its path (for messages) and text. */
export interface SourcesFile {
  path: string
  text: string
}

export interface Mirror {
  uri: string
  /** Where it came from: a sources file, the variable, or the default. */
  from: string
}

interface Entry {
  types: string[]
  uris: string[]
  suites: string[]
  components: string[]
  enabled: boolean
}

/** `deb [opts] uri suite comp...` lines of a `.list` file. */
function oneLineEntries(text: string): Entry[] {
  return text.split('\n').flatMap((raw) => {
    const line = raw
      .replace(/#.*/, '')
      .replace(/\[[^\]]*\]/, ' ')
      .trim()
    const [type, uri, suite, ...components] = line.split(/\s+/)
    if (!type || !uri || !suite) return []
    return [{ types: [type], uris: [uri], suites: [suite], components, enabled: true }]
  })
}

/** Stanzas of a deb822 `.sources` file (continuation lines belong to the previous field). */
function deb822Entries(text: string): Entry[] {
  return text.split(/\n[ \t]*\n/).flatMap((stanza) => {
    const fields = new Map<string, string>()
    let last = ''
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue
      if (/^[ \t]/.test(line)) {
        if (last) fields.set(last, `${fields.get(last)} ${line.trim()}`)
        continue
      }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line)
      if (!m) continue
      last = m[1].toLowerCase()
      fields.set(last, m[2])
    }
    const list = (name: string) => (fields.get(name) ?? '').split(/\s+/).filter(Boolean)
    if (!fields.has('uris')) return []
    return [
      {
        types: list('types'),
        uris: list('uris'),
        suites: list('suites'),
        components: list('components'),
        enabled: (fields.get('enabled') ?? 'yes').trim().toLowerCase() !== 'no',
      },
    ]
  })
}

/**
 * The first binary (`deb`) source in apt's order that serves `release` itself (not
 * `release-updates` or `-security`) with the main component, over a transport debootstrap
 * speaks (http, https, file).
 */
export function debianMirrorIn(files: SourcesFile[], release: string): Mirror | undefined {
  for (const file of files) {
    const entries = file.path.endsWith('.sources') ? deb822Entries(file.text) : oneLineEntries(file.text)
    for (const e of entries) {
      if (!e.enabled || !e.types.includes('deb') || !e.suites.includes(release)) continue
      if (!e.components.includes('main')) continue
      const uri = e.uris.find((u) => /^(https?|file):\/\//.test(u))
      if (uri) return { uri: uri.replace(/\/+$/, ''), from: file.path }
    }
  }
  return undefined
}

/** apt's sources in the order apt reads them: sources.list, then sources.list.d/ sorted. */
export function hostSourcesFiles(aptDir = '/etc/apt'): SourcesFile[] {
  const dir = join(aptDir, 'sources.list.d')
  const paths = [
    join(aptDir, 'sources.list'),
    ...(existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.list') || f.endsWith('.sources'))
          .sort()
          .map((f) => join(dir, f))
      : []),
  ]
  return paths.filter((p) => existsSync(p)).map((path) => ({ path, text: readFileSync(path, 'utf8') }))
}

/** The mirror to bootstrap `release` from: $JEPSEN_LXC_MIRROR, else the host's apt source, else deb.debian.org. */
export function chooseMirror(
  release: string,
  env: Record<string, string | undefined> = process.env,
  files: SourcesFile[] = hostSourcesFiles(),
): Mirror {
  const override = env[MIRROR_ENV]?.trim()
  if (override) {
    if (!/^(https?|file):\/\/\S+$/.test(override)) {
      throw new Error(
        `${MIRROR_ENV}: expected a Debian mirror URL (http://, https:// or file://), got "${override}"`,
      )
    }
    return { uri: override.replace(/\/+$/, ''), from: MIRROR_ENV }
  }
  return (
    debianMirrorIn(files, release) ?? {
      uri: DEFAULT_DEBIAN_MIRROR,
      from: `default (no "deb ... ${release} main" entry in the host's apt sources)`,
    }
  )
}

/**
 * Proxy variables for debootstrap (it downloads with wget, which reads http_proxy/https_proxy,
 * not apt's configuration): the caller's own, else apt's Acquire::http(s)::Proxy.
 */
export async function aptProxyEnv(env: Record<string, string | undefined> = process.env): Promise<string[]> {
  const out: string[] = []
  for (const scheme of ['http', 'https'] as const) {
    const name = `${scheme}_proxy`
    if (env[name] ?? env[name.toUpperCase()]) continue
    const { stdout } = await run('apt-config', ['shell', 'P', `Acquire::${scheme}::Proxy`], { check: false })
    const proxy = /^P='(.*)'$/m.exec(stdout)?.[1]
    if (proxy && proxy !== 'DIRECT' && proxy !== 'false') out.push(`${name}=${proxy}`)
  }
  return out
}
