// healCluster against fake remotes: removes the rules of dead runs only, SIGCONTs what the
// node reports as stopped, and reports an unreachable node instead of failing the others.
import { describe, expect, test } from 'vitest'
import { fakeContext } from '../lib/db/fake-remote.ts'
import { healCluster, resumeStoppedCommand } from './heal-cluster.ts'

const LISTING = [
  '-N JEPSEN',
  '-A JEPSEN -s 10.0.0.2/32 -m comment --comment jepsen-live -j DROP',
  '-A JEPSEN -s 10.0.0.3/32 -m comment --comment jepsen-dead -j DROP',
].join('\n')

describe('healCluster', () => {
  test('keeps live runs’ rules, deletes dead ones, resumes stopped processes', async () => {
    const { ctx, remotes } = fakeContext(2, (cmd, node) => {
      if (node.name === 'n2') return { code: 255, stderr: 'connection lost' }
      if (cmd.includes('-S JEPSEN')) return { stdout: LISTING }
      if (cmd.startsWith('ps -eo')) return { stdout: '4242\n' }
      return undefined
    })
    const reports = await healCluster(ctx, { liveRunIds: ['live'], remotes: [...remotes.values()] })
    expect(reports[0]).toEqual({ node: 'n1', rulesRemoved: 1, resumed: [4242] })
    expect(reports[1].error).toMatch(/on n2: .* exited 255: connection lost/)
    const n1 = remotes.get('n1')!.commands
    expect(n1[1]).toContain('iptables -w -D JEPSEN -s 10.0.0.3/32 -m comment --comment jepsen-dead -j DROP')
    expect(n1[1]).not.toContain('jepsen-live')
  })
  test('the resume script matches stopped processes under the given dirs only', () => {
    const script = resumeStoppedCommand(['/opt/', '/srv/db'])
    expect(script).toContain('case "$stat" in T*)')
    expect(script).toContain('case "$exe" in /opt/*|/srv/db/*) kill -CONT "$pid"')
  })
})
