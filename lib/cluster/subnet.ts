// Choice of a /24 for a run's bridge that collides with no existing route (other networks on
// the host, or clusters of concurrent runs), scanning 10.231.0.0/24, 10.231.1.0/24, ... upward.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number
  bits: number
}

export function parseIp(ip: string): number {
  const parts = ip.split('.')
  if (parts.length !== 4) throw new Error(`not an IPv4 address: "${ip}"`)
  let n = 0
  for (const part of parts) {
    const octet = Number(part)
    if (!/^\d{1,3}$/.test(part) || octet > 255) throw new Error(`not an IPv4 address: "${ip}"`)
    n = n * 256 + octet
  }
  return n
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export function parseCidr(text: string): Cidr {
  const [ip, bitsText = '32'] = text.split('/')
  const bits = Number(bitsText)
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`bad prefix length in "${text}"`)
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  return { base: (parseIp(ip) & mask) >>> 0, bits }
}

function size(c: Cidr): number {
  return 2 ** (32 - c.bits)
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a)
}

/**
 * Destinations of the routes in `ip route` / `ip -4 route show table all` output. The default
 * route is skipped: it overlaps everything and is not a collision.
 */
export function routeDestinations(ipRouteOutput: string): Cidr[] {
  const out: Cidr[] = []
  for (const line of ipRouteOutput.split('\n')) {
    const words = line.trim().split(/\s+/)
    // Lines may start with a route type ("local", "broadcast", "unicast").
    const dest = ['local', 'broadcast', 'unicast', 'anycast', 'multicast'].includes(words[0])
      ? words[1]
      : words[0]
    if (!dest || dest === 'default' || !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dest)) continue
    out.push(parseCidr(dest))
  }
  return out
}

/** The first 10.231.x.0/24 (x = 0..255) that overlaps no route and no subnet in `taken`. */
export function chooseSubnet(routes: Cidr[], taken: Cidr[] = [], firstOctets = '10.231'): Cidr {
  for (let x = 0; x < 256; x++) {
    const candidate = parseCidr(`${firstOctets}.${x}.0/24`)
    if (![...routes, ...taken].some((r) => overlaps(r, candidate))) return candidate
  }
  throw new Error(
    `no free /24 in ${firstOctets}.0.0/16: every one collides with a route or a running cluster`,
  )
}

/** Address of host `n` (1-based) in a subnet: the bridge is .1, node i is .(10+i). */
export function hostAddress(subnet: Cidr, n: number): string {
  if (n < 1 || n >= size(subnet) - 1) throw new Error(`host ${n} is outside ${formatCidr(subnet)}`)
  return formatIp(subnet.base + n)
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.bits}`
}
