// The iptables commands a partition runs inside each node (nodes have their own network
// namespace, so these rules affect only that node). Every rule lives in a dedicated chain,
// JEPSEN, jumped to from INPUT, and carries the comment `jepsen-<runId>`, so that a heal removes
// exactly this run's rules and a later cleanup can find the rules of runs that died.
import { commandLine } from '../lib/control/shell.ts'

export const CHAIN = 'JEPSEN'
export const TAG_PREFIX = 'jepsen-'

/** The comment every rule of a run carries. */
export function runTag(runId: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(runId))
    throw new Error(
      `run id ${JSON.stringify(runId)} cannot tag iptables rules (allowed: letters, digits, _ . : -)`,
    )
  return `${TAG_PREFIX}${runId}`
}

const ipt = (...args: string[]) => commandLine(['iptables', '-w', ...args])

/** Creates the chain and the INPUT jump if missing (idempotent). */
export function ensureChainCommand(): string {
  return [
    `${ipt('-N', CHAIN)} 2>/dev/null || true`,
    `${ipt('-C', 'INPUT', '-j', CHAIN)} 2>/dev/null || ${ipt('-I', 'INPUT', '1', '-j', CHAIN)}`,
  ].join('\n')
}

/** Drops packets from each source address, tagged with the run id. */
export function dropCommand(sourceIps: readonly string[], runId: string): string {
  return sourceIps
    .map((ip) => ipt('-A', CHAIN, '-s', ip, '-m', 'comment', '--comment', runTag(runId), '-j', 'DROP'))
    .join('\n')
}

/** Lists the chain's rules in `iptables -S` form (empty output when the chain does not exist). */
export function listCommand(): string {
  return `${ipt('-S', CHAIN)} 2>/dev/null || true`
}

/** The run id a rule line of `iptables -S` is tagged with, or undefined for untagged lines. */
export function ruleRunId(line: string): string | undefined {
  const m = /--comment "?jepsen-([A-Za-z0-9_.:-]+)"?(\s|$)/.exec(line)
  return m?.[1]
}

/**
 * Delete commands for the rules of an `iptables -S JEPSEN` listing whose run id `remove`
 * accepts (rules of other runs, and the chain header, stay).
 */
export function deleteCommands(listing: string, remove: (runId: string) => boolean): string[] {
  return listing
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`-A ${CHAIN} `))
    .filter((l) => {
      const id = ruleRunId(l)
      return id !== undefined && remove(id)
    })
    .map((l) => `iptables -w -D ${l.slice(3)}`)
}

/** Removes the INPUT jump and the chain when it holds no rule any more (a no-op otherwise). */
export function dropChainIfEmptyCommand(): string {
  return [
    `if [ "$(${ipt('-S', CHAIN)} 2>/dev/null | grep -c '^-A')" = 0 ]; then`,
    `  while ${ipt('-D', 'INPUT', '-j', CHAIN)} 2>/dev/null; do :; done`,
    `  ${ipt('-X', CHAIN)} 2>/dev/null || true`,
    'fi',
  ].join('\n')
}
