// `jepsen-tikv serve`: a read-only results browser over store/ (DESIGN §4, §5). `/` lists every
// run with its verdict, workload, nemesis and date; any other path is a file or directory under
// the store (so a report's relative links to nodes/ logs work). Loopback only, GET/HEAD only,
// Host header checked (no DNS rebinding), nothing outside the store root is ever served.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import { bytes, verdict } from '../report/format.ts'
import { listRuns, Run } from '../run-store/store.ts'
import { PathRefused, resolveInRoot } from './resolve.ts'

export interface ServeOptions {
  /** The store directory to browse. */
  root: string
  /** 0 (default) picks a free port. */
  port?: number
  /** A loopback address; the default is 127.0.0.1. */
  host?: string
}

export interface Served {
  url: string
  close(): Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))
const eta = new Eta({ views: join(here, 'templates'), autoEscape: true, autoTrim: false, cache: true })
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.css': 'text/css; charset=utf-8',
}
// Logs, histories, EDN, TOML and anything unknown are shown as text; the browser never sniffs.
const contentType = (p: string) => TYPES[extname(p).toLowerCase()] ?? 'text/plain; charset=utf-8'

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  // Reports are self-contained: inline script and style, no fetches, no frames.
  'Content-Security-Policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
}

/** "20250101T120000.000" → "2025-01-01 12:00:00". */
export function runDate(ts: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(ts)
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}` : ts
}

const enc = (segments: string[]) => `/${segments.map(encodeURIComponent).join('/')}`

/** Names of the checkers that did not pass, with their verdicts ("linearizable: unknown"). */
function notPassing(dir: string): string[] {
  try {
    const checkers = new Run(dir).readResults()?.checkers ?? {}
    return Object.entries(checkers)
      .filter(([, c]) => c.valid !== true)
      .map(([n, c]) => (c.valid === false ? n : `${n}: ${c.valid}`))
  } catch {
    return [] // a torn results.json: listRuns already shows the run without a verdict
  }
}

function indexPage(root: string): string {
  const runs = listRuns(root).map((r) => ({
    ...r,
    notPassing: notPassing(r.dir),
    date: runDate(r.timestamp),
    href: enc([r.name, r.timestamp]),
    report: existsSync(join(r.dir, 'report.html')),
  }))
  return eta.render('index', { root, runs, verdict })
}

function listingPage(dir: string, segments: string[]): string {
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => {
      const full = join(dir, e.name)
      const st = statSync(full, { throwIfNoEntry: false })
      const isDir = st?.isDirectory() ?? false
      return {
        name: e.name + (isDir ? '/' : ''),
        href: enc([...segments, e.name]) + (isDir ? '/' : ''),
        size: st?.size,
      }
    })
    .sort(
      (a, b) => Number(b.name.endsWith('/')) - Number(a.name.endsWith('/')) || a.name.localeCompare(b.name),
    )
  const crumbs = segments.map((s, i) => ({ name: s, href: `${enc(segments.slice(0, i + 1))}/` }))
  return eta.render('listing', {
    crumbs,
    entries,
    bytes,
    report: entries.find((e) => e.name === 'report.html'),
  })
}

/** What a GET/HEAD of `url` answers: a status, headers and, unless a file is streamed, a body. */
function respond(
  root: string,
  url: string,
): { status: number; type?: string; body?: string; file?: string; location?: string } {
  try {
    const { path, segments } = resolveInRoot(root, url)
    if (segments.length === 0) return { status: 200, type: 'text/html; charset=utf-8', body: indexPage(root) }
    if (!statSync(path).isDirectory()) return { status: 200, type: contentType(path), file: path }
    if (!url.split('?')[0].endsWith('/')) return { status: 301, location: `${enc(segments)}/` }
    return { status: 200, type: 'text/html; charset=utf-8', body: listingPage(path, segments) }
  } catch (e) {
    return { status: e instanceof PathRefused ? e.status : 500, body: `${(e as Error).message}\n` }
  }
}

function handle(root: string, port: () => number, req: IncomingMessage, res: ServerResponse): void {
  const head = req.method === 'HEAD'
  const hostHeader = req.headers.host ?? ''
  const host = hostHeader.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
  const r =
    req.method !== 'GET' && !head
      ? { status: 405, body: `${req.method} not allowed: the store is read-only\n` }
      : !LOOPBACK.has(host) || !hostHeader.endsWith(`:${port()}`)
        ? { status: 421, body: `Host ${JSON.stringify(hostHeader)} is not this server\n` }
        : respond(root, req.url ?? '/')
  const headers: Record<string, string | number> = { ...SECURITY_HEADERS }
  if (r.status === 405) headers.Allow = 'GET, HEAD'
  if ('location' in r && r.location) headers.Location = r.location
  if ('file' in r && r.file) {
    res.writeHead(r.status, { ...headers, 'Content-Type': r.type!, 'Content-Length': statSync(r.file).size })
    if (head) res.end()
    else
      createReadStream(r.file)
        .on('error', () => res.destroy())
        .pipe(res)
    return
  }
  const body = 'body' in r ? (r.body ?? '') : ''
  res.writeHead(r.status, {
    ...headers,
    'Content-Type': ('type' in r && r.type) || 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  })
  res.end(head ? undefined : body)
}

/** Starts the results browser; resolves once it listens. */
export function serveStore(o: ServeOptions): Promise<Served> {
  const host = o.host ?? '127.0.0.1'
  if (!LOOPBACK.has(host))
    throw new Error(
      `serveStore: host ${JSON.stringify(host)} is not a loopback address (allowed: 127.0.0.1, localhost, ::1)`,
    )
  if (!existsSync(o.root) || !statSync(o.root).isDirectory())
    throw new Error(`serveStore: store root ${o.root} is not a directory`)
  let port = 0
  const server = createServer((req, res) => handle(o.root, () => port, req, res))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, host, () => {
      port = (server.address() as AddressInfo).port
      const h = host.includes(':') ? `[${host}]` : host
      resolve({
        url: `http://${h}:${port}/`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections()
            server.close(() => r())
          }),
      })
    })
  })
}
