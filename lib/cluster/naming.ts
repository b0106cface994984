// Names of everything a cluster run creates. Every resource carries the run id (or a short hash
// of it where the kernel limits name length: interface names must fit IFNAMSIZ, 15 bytes), so
// leftovers of a crashed run can be found and removed.
import { createHash, randomBytes } from 'node:crypto'

/** Longest interface name the kernel accepts (IFNAMSIZ 16 minus the NUL byte). */
export const IFNAME_MAX = 15

/** Prefix of every interface and network namespace this project creates. */
export const NAME_PREFIX = 'jt'

/** A fresh run id: sortable UTC timestamp plus randomness, e.g. "20250102T030405-1a2b3c". */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

/** 6 hex characters derived from the run id; the tag used where names must stay short. */
export function shortTag(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 6)
}

function checked(name: string): string {
  if (Buffer.byteLength(name) > IFNAME_MAX) {
    throw new Error(`interface name "${name}" is longer than IFNAMSIZ-1 (${IFNAME_MAX} bytes)`)
  }
  return name
}

/** Names for one run's bridge, per-node veths and network namespaces. */
export function resourceNames(runId: string) {
  const tag = shortTag(runId)
  return {
    tag,
    bridge: checked(`${NAME_PREFIX}${tag}br`),
    /** Host end of node `index`'s veth (index from 1). */
    veth: (index: number) => checked(`${NAME_PREFIX}${tag}v${index}`),
    netns: (index: number) => `${NAME_PREFIX}${tag}n${index}`,
    container: (index: number) => `${NAME_PREFIX}${tag}c${index}`,
  }
}

/** Matches names made by `resourceNames`, to sweep resources whose registry entry was lost. */
export const OWN_NAME = new RegExp(`^${NAME_PREFIX}[0-9a-f]{6}(br|v\\d+|n\\d+|c\\d+)$`)

/** Tag (short hash) of a name made by `resourceNames`, or undefined if it is not ours. */
export function tagOf(name: string): string | undefined {
  return OWN_NAME.test(name) ? name.slice(NAME_PREFIX.length, NAME_PREFIX.length + 6) : undefined
}
