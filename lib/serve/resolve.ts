// Maps a request path onto a file under the store root, refusing anything that could leave it:
// ".." or "." segments (raw or percent-encoded), encoded slashes or backslashes, NUL bytes, and
// symlinks whose target lies outside the root. The server only ever opens what this returns.
import { realpathSync } from 'node:fs'
import { join, sep } from 'node:path'

export class PathRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
  ) {
    super(message)
  }
}

/** URL path segments, decoded; throws PathRefused (400) on anything that is not a plain name. */
export function pathSegments(rawPath: string): string[] {
  const path = rawPath.split(/[?#]/, 1)[0]
  if (!path.startsWith('/'))
    throw new PathRefused(400, `request path ${JSON.stringify(path)} must start with /`)
  const out: string[] = []
  for (const raw of path.split('/').slice(1)) {
    let s: string
    try {
      s = decodeURIComponent(raw)
    } catch {
      throw new PathRefused(400, `request path segment ${JSON.stringify(raw)} is not valid percent-encoding`)
    }
    if (s === '') continue
    if (s === '.' || s === '..' || /[/\\\0]/.test(s))
      throw new PathRefused(400, `request path segment ${JSON.stringify(raw)} is not allowed`)
    out.push(s)
  }
  return out
}

/** The real path of the file the request names, which is always inside `root`. */
export function resolveInRoot(root: string, rawPath: string): { path: string; segments: string[] } {
  const segments = pathSegments(rawPath)
  const realRoot = realpathSync(root)
  let real: string
  try {
    real = realpathSync(join(realRoot, ...segments))
  } catch {
    throw new PathRefused(404, `${rawPath} does not exist in the store`)
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep))
    throw new PathRefused(403, `${rawPath} leads outside the store (a symlink to ${real})`)
  return { path: real, segments }
}
