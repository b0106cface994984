// known_hosts files: the provider writes one per run with each node's host key, and the ssh2
// client checks the key a node presents against it (no blind trust). Hashed entries ("|1|")
// and markers (@revoked, @cert-authority) are not written by us and are not accepted.
import { readFile } from 'node:fs/promises'

export interface KnownHost {
  /** Host patterns as written: "10.0.0.1" or "[10.0.0.1]:2222". */
  hosts: string[]
  keyType: string
  /** The raw public key blob (base64-decoded third field). */
  key: Buffer
}

/** The name a known_hosts line uses for host:port (OpenSSH brackets non-22 ports). */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

export function knownHostsLine(host: string, port: number, publicKeyLine: string): string {
  const [keyType, key] = publicKeyLine.trim().split(/\s+/)
  if (!keyType || !key) throw new Error(`not a public key line: "${publicKeyLine.trim()}"`)
  return `${knownHostName(host, port)} ${keyType} ${key}`
}

export function parseKnownHosts(text: string): KnownHost[] {
  const out: KnownHost[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith('@') || line.startsWith('|')) continue
    const [hosts, keyType, key] = line.split(/\s+/)
    if (!hosts || !keyType || !key) continue
    out.push({ hosts: hosts.split(','), keyType, key: Buffer.from(key, 'base64') })
  }
  return out
}

/** Keys recorded for host:port in a known_hosts file (empty if none). */
export async function recordedKeys(path: string, host: string, port: number): Promise<Buffer[]> {
  const name = knownHostName(host, port)
  const entries = parseKnownHosts(await readFile(path, 'utf8'))
  return entries.filter((e) => e.hosts.includes(name)).map((e) => e.key)
}
