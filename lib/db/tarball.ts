// Where PD and TiKV binaries come from (DESIGN §7): release tarballs named as on the TiUP
// mirror (`pd-v8.5.1-linux-amd64.tar.gz`), downloaded once into the control host's cache
// dir, or local tarball paths for offline labs. A pinned sha256 is checked before use.
import { createWriteStream } from 'node:fs'
import { access, mkdir, rename, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream } from 'node:stream/web'
import { sha256File } from './upload.ts'

export type Component = 'pd' | 'tikv'
export type Arch = 'amd64' | 'arm64'

export const DEFAULT_MIRROR = 'https://tiup-mirrors.pingcap.com/'

/** The binary at the root of each component's tarball. */
export const BINARY: Record<Component, string> = { pd: 'pd-server', tikv: 'tikv-server' }

export function tarballName(component: Component, versionTag: string, arch: Arch): string {
  return `${component}-${versionTag}-linux-${arch}.tar.gz`
}

/** Mirror URL of a component's tarball; the mirror must be an http(s) base URL. */
export function tarballUrl(
  component: Component,
  versionTag: string,
  arch: Arch,
  mirror = DEFAULT_MIRROR,
): string {
  let base: URL
  try {
    base = new URL(mirror.endsWith('/') ? mirror : `${mirror}/`)
  } catch {
    throw new Error(`TiKV mirror "${mirror}" is not a URL (e.g. ${DEFAULT_MIRROR})`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`TiKV mirror "${mirror}" must be an http:// or https:// URL`)
  }
  return new URL(tarballName(component, versionTag, arch), base).href
}

const isUrl = (s: string) => /^https?:\/\//.test(s)

/**
 * A local path of the tarball: `source` itself when it is a file path, else the cached
 * download of the URL (downloaded to `<cacheDir>/tarballs/` if missing). When `sha256` is
 * given, the file must match it.
 */
export async function fetchTarball(
  source: string,
  cacheDir: string,
  opts: { sha256?: string; log?: (m: string) => void; timeoutMs?: number } = {},
): Promise<string> {
  let path: string
  if (isUrl(source)) {
    const dir = join(cacheDir, 'tarballs')
    path = join(dir, basename(new URL(source).pathname))
    if (!(await exists(path))) {
      await mkdir(dir, { recursive: true })
      opts.log?.(`downloading ${source} to ${path}`)
      await download(source, path, opts.timeoutMs ?? 30 * 60_000)
    }
  } else {
    path = source
    if (!(await exists(path))) throw new Error(`tarball ${path} does not exist on the control host`)
  }
  if (opts.sha256) {
    const got = await sha256File(path)
    if (got !== opts.sha256.toLowerCase()) {
      throw new Error(
        `tarball ${path} has sha256 ${got}, expected ${opts.sha256} (delete it if it is a bad download)`,
      )
    }
  }
  return path
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** Downloads to `<path>.part` and renames, so an interrupted download never looks cached. */
async function download(url: string, path: string, timeoutMs: number): Promise<void> {
  const part = `${path}.part`
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    if (!res.ok || !res.body) {
      const body = await res.text().catch(() => '')
      throw new Error(`GET ${url} -> HTTP ${res.status}${body ? `: ${body.slice(0, 500)}` : ''}`)
    }
    await pipeline(Readable.fromWeb(res.body as ReadableStream), createWriteStream(part))
    await rename(part, path)
  } catch (e) {
    await rm(part, { force: true })
    const why = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e)
    throw new Error(`downloading ${url} failed: ${why}`)
  }
}
