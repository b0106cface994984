import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { knownHostName, knownHostsLine, parseKnownHosts, recordedKeys } from './known-hosts.ts'

const KEY_A = Buffer.from('key-a').toString('base64')
const KEY_B = Buffer.from('key-b').toString('base64')

describe('known_hosts', () => {
  test('non-22 ports are bracketed', () => {
    expect(knownHostName('10.0.0.1', 22)).toBe('10.0.0.1')
    expect(knownHostName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222')
    expect(knownHostsLine('h', 2222, `ssh-ed25519 ${KEY_A} n1\n`)).toBe(`[h]:2222 ssh-ed25519 ${KEY_A}`)
  })

  test('only plain entries for the exact host:port are recorded keys', async () => {
    const text = [
      '# comment',
      `10.0.0.1,n1 ssh-ed25519 ${KEY_A}`,
      `[10.0.0.1]:2222 ssh-ed25519 ${KEY_B}`,
      `@revoked 10.0.0.1 ssh-ed25519 ${KEY_B}`,
      `|1|hashed|= ssh-ed25519 ${KEY_B}`,
    ].join('\n')
    expect(parseKnownHosts(text)).toHaveLength(2)
    const path = join(await mkdtemp(join(tmpdir(), 'kh-')), 'known_hosts')
    await writeFile(path, text)
    expect(await recordedKeys(path, '10.0.0.1', 22)).toEqual([Buffer.from('key-a')])
    expect(await recordedKeys(path, '10.0.0.1', 2222)).toEqual([Buffer.from('key-b')])
    expect(await recordedKeys(path, '10.0.0.2', 22)).toEqual([])
  })
})
