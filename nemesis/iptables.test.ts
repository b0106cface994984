// The iptables commands a partition sends: exact rules on each node, tagging, and heal deleting
// only the run's own rules (parsed back from `iptables -S` output).
import { describe, expect, test } from 'vitest'
import { fakeContext } from '../lib/db/fake-remote.ts'
import { deleteCommands, dropCommand, ensureChainCommand, ruleRunId, runTag } from './iptables.ts'
import { applyGrudge, healPartition, removeTaggedRules } from './partition.ts'

const LISTING = [
  '-N JEPSEN',
  '-A JEPSEN -s 10.0.0.2/32 -m comment --comment jepsen-run1 -j DROP',
  '-A JEPSEN -s 10.0.0.3/32 -m comment --comment "jepsen-old-run" -j DROP',
  '-A JEPSEN -s 10.0.0.4/32 -j DROP',
].join('\n')

describe('iptables commands', () => {
  test('drop rules go to the JEPSEN chain, one per source, tagged with the run id', () => {
    expect(dropCommand(['10.0.0.2', '10.0.0.3'], 'run1')).toBe(
      [
        'iptables -w -A JEPSEN -s 10.0.0.2 -m comment --comment jepsen-run1 -j DROP',
        'iptables -w -A JEPSEN -s 10.0.0.3 -m comment --comment jepsen-run1 -j DROP',
      ].join('\n'),
    )
  })
  test('the chain and its INPUT jump are created idempotently', () => {
    expect(ensureChainCommand()).toBe(
      [
        'iptables -w -N JEPSEN 2>/dev/null || true',
        'iptables -w -C INPUT -j JEPSEN 2>/dev/null || iptables -w -I INPUT 1 -j JEPSEN',
      ].join('\n'),
    )
  })
  test('run ids that could break the shell are refused', () => {
    expect(() => runTag('a b;rm')).toThrow(/cannot tag iptables rules/)
  })
  test('rule lines are parsed back to their run id (quoted or not); untagged lines have none', () => {
    const lines = LISTING.split('\n')
    expect(lines.map(ruleRunId)).toEqual([undefined, 'run1', 'old-run', undefined])
  })
  test('heal deletes only the rules of the runs asked for', () => {
    expect(deleteCommands(LISTING, (id) => id === 'run1')).toEqual([
      'iptables -w -D JEPSEN -s 10.0.0.2/32 -m comment --comment jepsen-run1 -j DROP',
    ])
    expect(deleteCommands(LISTING, (id) => id !== 'run1')).toEqual([
      'iptables -w -D JEPSEN -s 10.0.0.3/32 -m comment --comment "jepsen-old-run" -j DROP',
    ])
  })
})

describe('applying a grudge', () => {
  test('each node drops exactly the addresses of the nodes in its grudge, after healing first', async () => {
    const { ctx, remotes } = fakeContext(3)
    await applyGrudge(ctx, { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] })
    const n1 = remotes.get('n1')!.commands
    expect(n1[0]).toContain('iptables -w -S JEPSEN') // heal: list own rules first
    expect(n1.at(-1)).toContain(
      'iptables -w -A JEPSEN -s 10.0.0.2 -m comment --comment jepsen-run1 -j DROP\n' +
        'iptables -w -A JEPSEN -s 10.0.0.3 -m comment --comment jepsen-run1 -j DROP',
    )
    const n2 = remotes.get('n2')!.commands.at(-1)!
    expect(n2).toContain('-s 10.0.0.1 ')
    expect(n2).not.toContain('-s 10.0.0.3 ')
  })
  test('a grudge naming an unknown node is refused', async () => {
    const { ctx } = fakeContext(2)
    await expect(applyGrudge(ctx, { n1: ['n7'] })).rejects.toThrow(/unknown node "n7"/)
  })
  test('heal removes the listed own rules on every node and drops the chain once empty', async () => {
    const { ctx, remotes } = fakeContext(2, (cmd) =>
      cmd.includes('-S JEPSEN') ? { stdout: LISTING } : undefined,
    )
    await healPartition(ctx)
    for (const r of remotes.values()) {
      const del = r.commands[1]
      expect(del).toContain('iptables -w -D JEPSEN -s 10.0.0.2/32 -m comment --comment jepsen-run1 -j DROP')
      expect(del).not.toContain('old-run')
      expect(del).toContain('iptables -w -X JEPSEN')
    }
  })
  test('removeTaggedRules counts what it removed', async () => {
    const { remotes } = fakeContext(1, (cmd) => (cmd.includes('-S JEPSEN') ? { stdout: LISTING } : undefined))
    expect(await removeTaggedRules(remotes.get('n1')!, () => true)).toBe(2)
  })
})
