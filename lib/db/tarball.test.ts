// Tarball resolution: TiUP mirror names and URLs, local paths, the download cache (served by a
// local HTTP server), sha256 pins and failed downloads that leave nothing cached.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fetchTarball, tarballName, tarballUrl } from './tarball.ts'

describe('tarball names and URLs', () => {
  test('follow the TiUP mirror naming', () => {
    expect(tarballName('pd', 'v8.5.1', 'amd64')).toBe('pd-v8.5.1-linux-amd64.tar.gz')
    expect(tarballUrl('tikv', 'v8.5.1', 'arm64')).toBe(
      'https://tiup-mirrors.pingcap.com/tikv-v8.5.1-linux-arm64.tar.gz',
    )
    expect(tarballUrl('pd', 'v7.5.0', 'amd64', 'http://mirror.lab:8080/tiup')).toBe(
      'http://mirror.lab:8080/tiup/pd-v7.5.0-linux-amd64.tar.gz',
    )
  })

  test('reject mirrors that are not http(s) URLs', () => {
    expect(() => tarballUrl('pd', 'v8.5.1', 'amd64', 'mirror.lab')).toThrow(
      'TiKV mirror "mirror.lab" is not a URL',
    )
    expect(() => tarballUrl('pd', 'v8.5.1', 'amd64', 'ftp://x/')).toThrow(
      'must be an http:// or https:// URL',
    )
  })
})

describe('fetching tarballs', () => {
  const content = Buffer.from('not really a tarball')
  const sha = createHash('sha256').update(content).digest('hex')
  const requests: string[] = []
  let server: Server
  let base: string
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jt-tarball-'))
    server = createServer((req, res) => {
      requests.push(req.url ?? '')
      if (req.url === '/pd-v8.5.1-linux-amd64.tar.gz') res.end(content)
      else res.writeHead(404).end('no such file')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })

  afterAll(async () => {
    server.close()
    await rm(dir, { recursive: true, force: true })
  })

  test('downloads once into the cache and reuses it', async () => {
    const url = tarballUrl('pd', 'v8.5.1', 'amd64', base)
    const first = await fetchTarball(url, dir, { sha256: sha })
    expect(first).toBe(join(dir, 'tarballs', 'pd-v8.5.1-linux-amd64.tar.gz'))
    expect(await fetchTarball(url, dir, { sha256: sha.toUpperCase() })).toBe(first)
    expect(requests.filter((r) => r.startsWith('/pd-'))).toHaveLength(1)
  })

  test('a failed download names the URL and status and caches nothing', async () => {
    const url = tarballUrl('tikv', 'v8.5.1', 'amd64', base)
    await expect(fetchTarball(url, dir)).rejects.toThrow(
      `downloading ${url} failed: GET ${url} -> HTTP 404: no such file`,
    )
    expect((await readdir(join(dir, 'tarballs'))).some((f) => f.startsWith('tikv'))).toBe(false)
  })

  test('local paths are used as they are; missing ones and sha256 mismatches are errors', async () => {
    const local = join(dir, 'my-pd.tar.gz')
    await writeFile(local, content)
    expect(await fetchTarball(local, '/nonexistent-cache', { sha256: sha })).toBe(local)
    await expect(fetchTarball(join(dir, 'nope.tar.gz'), dir)).rejects.toThrow(
      /nope\.tar\.gz does not exist on the control host/,
    )
    await expect(fetchTarball(local, dir, { sha256: '0'.repeat(64) })).rejects.toThrow(
      `has sha256 ${sha}, expected`,
    )
    expect(existsSync('/nonexistent-cache')).toBe(false)
  })
})
