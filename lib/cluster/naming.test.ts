import { describe, expect, test } from 'vitest'
import { IFNAME_MAX, newRunId, OWN_NAME, resourceNames, shortTag, tagOf } from './naming.ts'

describe('resource names', () => {
  test('run ids are unique and sortable by time', () => {
    const a = newRunId(new Date('2025-01-02T03:04:05.678Z'))
    expect(a).toMatch(/^20250102T030405-[0-9a-f]{6}$/)
    expect(newRunId()).not.toBe(newRunId())
  })

  test('interface names fit IFNAMSIZ even for 200 nodes, and carry the run tag', () => {
    const n = resourceNames('20250102T030405-abcdef')
    for (const name of [n.bridge, n.veth(1), n.veth(200)]) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(IFNAME_MAX)
      expect(tagOf(name)).toBe(shortTag('20250102T030405-abcdef'))
    }
    expect(n.netns(3)).toMatch(OWN_NAME)
    expect(n.veth(1)).not.toBe(resourceNames('20250102T030405-abcde0').veth(1))
  })

  test('a veth name over 15 bytes is refused', () => {
    expect(() => resourceNames('x').veth(123456789)).toThrow(/IFNAMSIZ/)
  })

  test('names that are not ours have no tag', () => {
    for (const name of ['eth0', 'jtbr0', 'jt12345br', 'jt0123456br', 'docker0', 'jtzzzzzzbr']) {
      expect(tagOf(name)).toBeUndefined()
    }
  })
})
