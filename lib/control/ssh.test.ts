import { describe, expect, test } from 'vitest'
import { commandLine, quote } from './shell.ts'
import { wrapCommand } from './ssh.ts'

describe('command wrapping', () => {
  test('quoting keeps words intact for sh', () => {
    expect(quote('plain/path-1.2')).toBe('plain/path-1.2')
    expect(quote("it's here")).toBe(`'it'\\''s here'`)
    expect(commandLine(['echo', 'a b', '$HOME'])).toBe(`echo 'a b' '$HOME'`)
  })

  test('env is exported and sudo is a no-op for root', () => {
    expect(wrapCommand('run', { env: { A: 'x y' }, sudo: true }, 'root')).toBe(`export A='x y'; run`)
    expect(wrapCommand('run', { sudo: true }, 'admin')).toBe(`sudo -n -- sh -c run`)
    expect(() => wrapCommand('run', { env: { 'A-B': '1' } }, 'root')).toThrow(
      /bad environment variable name "A-B"/,
    )
  })
})
