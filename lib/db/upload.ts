// Ships a file from the control host to a node only when the node does not already have the
// same bytes (sha256), so re-running setup on a warm cluster skips the big binary uploads.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Remote } from '../control/remote.ts'
import { commandLine } from '../control/shell.ts'

const hashes = new Map<string, { key: string; sha: Promise<string> }>()

/** sha256 (hex) of a local file, cached per path, size and modification time. */
export async function sha256File(path: string): Promise<string> {
  const s = await stat(path)
  const key = `${s.size}:${s.mtimeMs}`
  const cached = hashes.get(path)
  if (cached?.key === key) return cached.sha
  const sha = new Promise<string>((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')))
  })
  hashes.set(path, { key, sha })
  return sha
}

/** Uploads `localPath` to `remotePath` unless the node's copy has the same sha256. Returns whether it uploaded. */
export async function uploadIfChanged(
  remote: Remote,
  localPath: string,
  remotePath: string,
  mode = 0o644,
): Promise<boolean> {
  const want = await sha256File(localPath)
  const have = await remote.exec(`${commandLine(['sha256sum', remotePath])} 2>/dev/null`, {
    check: false,
    sudo: true,
  })
  if (have.code === 0 && have.stdout.split(/\s/)[0] === want) return false
  await remote.upload(localPath, remotePath, mode)
  return true
}
