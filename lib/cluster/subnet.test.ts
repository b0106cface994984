import { describe, expect, test } from 'vitest'
import { chooseSubnet, formatCidr, hostAddress, overlaps, parseCidr, routeDestinations } from './subnet.ts'

const ROUTES = `default via 192.0.2.1 dev eth0
192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
10.231.0.0/24 dev jt018ecdbr proto kernel scope link src 10.231.0.1
local 10.231.1.1 dev jtaaaaaabr table local proto kernel scope host src 10.231.1.1
broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1`

describe('subnet choice', () => {
  test('route destinations skip the default route and read typed table-all lines', () => {
    expect(routeDestinations(ROUTES).map(formatCidr)).toEqual([
      '192.0.2.0/24',
      '10.231.0.0/24',
      '10.231.1.1/32',
      '127.255.255.255/32',
    ])
  })

  test('picks the first 10.231.x.0/24 that no route or claim overlaps', () => {
    const routes = routeDestinations(ROUTES)
    expect(formatCidr(chooseSubnet(routes))).toBe('10.231.2.0/24')
    expect(formatCidr(chooseSubnet(routes, [parseCidr('10.231.2.0/24')]))).toBe('10.231.3.0/24')
    expect(formatCidr(chooseSubnet([]))).toBe('10.231.0.0/24')
  })

  test('a route covering all of 10.0.0.0/8 leaves nothing and says so', () => {
    expect(() => chooseSubnet([parseCidr('10.0.0.0/8')])).toThrow(/no free \/24 in 10\.231/)
  })

  test('overlap and addresses', () => {
    expect(overlaps(parseCidr('10.231.0.0/16'), parseCidr('10.231.5.0/24'))).toBe(true)
    expect(overlaps(parseCidr('10.231.4.0/24'), parseCidr('10.231.5.0/24'))).toBe(false)
    expect(hostAddress(parseCidr('10.231.7.0/24'), 11)).toBe('10.231.7.11')
    expect(() => hostAddress(parseCidr('10.231.7.0/24'), 255)).toThrow(/outside 10\.231\.7\.0\/24/)
    expect(() => parseCidr('10.231.300.0/24')).toThrow(/not an IPv4 address/)
  })
})
