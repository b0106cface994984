// The suite survives its own faults (issue #15), each shown on the real local etcd cluster of
// globalSetup with the register workload:
// - a client server SIGKILLed mid-run is restarted by the supervisor: the history shows the
//   restart, its node's workers have ok ops again within seconds, results.json counts it;
// - one that cannot be restarted (its binary is gone) is lost, and the run's verdict is unknown
//   with the node named;
// - a node's sshd restarted mid-run (every ssh session to it reset) under partitions: the
//   nemesis keeps working through the reconnect and the final heal succeeds;
// - the store's file system filling up mid-run: the run stops with an error naming the history
//   file and how many ops it holds, every line of it parses, the verdict is unknown, the cluster
//   is healed and the small file system is unmounted.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, inject, test } from 'vitest'
import { register } from '../../workloads/register.ts'
import { ClientServerClient } from '../client/client.ts'
import { ClientServerDirectory } from '../client/directory.ts'
import { type ClientServerProcess, startClientServer } from '../client/server-process.ts'
import { ClientServerSupervisor } from '../client/supervisor.ts'
import { CLIENT_SERVER_RESTART } from '../client/supervisor-state.ts'
import { optionsFromEnv, type TestOptions } from '../config/options.ts'
import { SshRemote } from '../control/ssh.ts'
import type { Op } from '../history/op.ts'
import { readHistory } from '../history/read.ts'
import { HistoryWriteError } from '../history/writer.ts'
import { Run } from '../run-store/store.ts'
import { type RunWorkloadOptions, runWorkload } from './run.ts'
import { attachRun, expectSoundRun } from './suite.ts'

const cluster = inject('cluster')
const base = optionsFromEnv()
const options = (o: Partial<TestOptions>): TestOptions => ({
  ...base,
  concurrency: 10,
  rate: 10,
  nemesisSchedule: 'fixed',
  nemesisLongRecovery: false,
  finalRecoveryTime: 2,
  ...o,
})

/**
 * Runs the register workload and calls `fault` `afterMs` after the workload phase began; collects
 * the run's log lines.
 */
async function runWith(
  opts: TestOptions,
  faults: string[],
  name: string,
  afterMs: number,
  fault: () => unknown,
  extra: Partial<RunWorkloadOptions> = {},
) {
  const lines: string[] = []
  let timer: NodeJS.Timeout | undefined
  const run = runWorkload(register(opts), {
    options: opts,
    faults,
    cluster,
    name,
    ...extra,
    log: (line) => {
      lines.push(line)
      console.log(`[${name}] ${line}`)
      if (line.startsWith('running for')) timer = setTimeout(fault, afterMs)
    },
  })
  try {
    return { run: await run, lines }
  } catch (e) {
    return { error: e as Error, lines }
  } finally {
    clearTimeout(timer)
  }
}

/** iptables rules this project tagged, on every node (a fresh ssh connection each). */
async function taggedRules(): Promise<string[]> {
  const remotes = await Promise.all(cluster.nodes.map((n) => SshRemote.connect(n)))
  try {
    const out = await Promise.all(
      remotes.map(async (r) =>
        (await r.exec('iptables -w -S 2>/dev/null', { check: false })).stdout
          .split('\n')
          .filter((l) => l.includes('jepsen-'))
          .map((l) => `${r.node.name}: ${l}`),
      ),
    )
    return out.flat()
  } finally {
    await Promise.all(remotes.map((r) => r.close()))
  }
}

/** Every node's client server reports its etcd member ready (within `seconds`). */
async function allReady(seconds: number): Promise<string[]> {
  const directory = new ClientServerDirectory(cluster)
  const end = Date.now() + seconds * 1000
  let notReady: string[] = []
  do {
    notReady = []
    directory.refresh()
    for (const n of cluster.nodes) {
      const c = new ClientServerClient({ address: directory.address(n.name), timeoutMs: 2_000 })
      const h = await c.health()
      c.close()
      if (!h.ready) notReady.push(`${n.name}: ${h.message}`)
    }
    if (notReady.length) await sleep(500)
  } while (notReady.length && Date.now() < end)
  return notReady
}

/** Nemesis completions (odd positions of the nemesis thread's ops) after time `t`. */
const nemesisCompletionsAfter = (history: Op[], t: number) =>
  history
    .filter((op) => op.process === 'nemesis' && op.f !== CLIENT_SERVER_RESTART)
    .filter((_, i) => i % 2 === 1)
    .filter((op) => op.time > t)

describe.skipIf(cluster.db !== 'etcd')('the harness survives its own faults (local etcd cluster)', () => {
  test('a client server killed mid-run is restarted; its node has ok ops again within seconds; results.json counts it', async ({
    annotate,
    signal,
  }) => {
    const victim = 'n2'
    const before = new ClientServerDirectory(cluster).supervised(victim)
    expect(before, `${victim}'s client server is not supervised`).toBeDefined()
    const pid = before?.pid as number
    const { run, error } = await runWith(
      options({ timeLimit: 12 }),
      [],
      'client-server-restart',
      4_000,
      () => process.kill(pid, 'SIGKILL'),
      { signal },
    )
    if (!run) throw error
    await attachRun({ annotate }, run)
    expectSoundRun(run, [])

    const restarts = run.history.filter((op) => op.f === CLIENT_SERVER_RESTART)
    expect(restarts).toEqual([
      expect.objectContaining({
        type: 'info',
        process: 'nemesis',
        value: expect.objectContaining({ node: victim, reason: 'exited (signal SIGKILL)' }),
      }),
    ])
    expect(restarts[0].error).toBeUndefined()
    const back = run.history.find(
      (op) => op.type === 'ok' && op.node === victim && op.time > restarts[0].time,
    )
    expect(back, `no ok op on ${victim} after its client server restarted`).toBeDefined()
    expect(((back as Op).time - restarts[0].time) / 1e9).toBeLessThan(5)

    const results = JSON.parse(readFileSync(run.run.resultsPath, 'utf8'))
    expect(results.checkers['client-servers']).toMatchObject({ valid: true, restarts: 1 })
    expect(results.valid).toBe(true)
    const after = new ClientServerDirectory(cluster).supervised(victim)
    expect(after).toMatchObject({ restarts: (before?.restarts ?? 0) + 1 })
    expect(after?.pid).not.toBe(pid)
  })

  test('a client server that cannot be restarted is lost: the run is unknown, naming the node', async ({
    annotate,
    signal,
  }) => {
    // This test's own client servers and supervisor, whose restarts fail (the binary is gone),
    // so the cluster's servers stay as they are for the tests that follow.
    const dir = mkdtempSync(join(tmpdir(), 'jepsen-lost-'))
    const start = (node: string, binary?: string) =>
      startClientServer({
        node,
        backend: 'etcd',
        endpoints: [`http://${cluster.nodes.find((n) => n.name === node)?.ip}:2379`],
        logFile: join(dir, `${node}.log`),
        binary,
      })
    const stateFile = join(dir, 'client-servers.json')
    const supervisor = new ClientServerSupervisor({
      stateFile,
      restart: (node) => start(node, join(dir, 'removed-binary')),
      restartBackoffMs: 100,
    })
    const servers: ClientServerProcess[] = []
    try {
      for (const n of cluster.nodes) {
        const s = await start(n.name)
        servers.push(s)
        supervisor.add(s)
      }
      const own = {
        ...cluster,
        clientServers: servers.map((s) => ({ node: s.info.node, address: s.info.address })),
        clientServerState: stateFile,
      }
      const victim = servers[1]
      const opts = options({ timeLimit: 8 })
      let timer: NodeJS.Timeout | undefined
      const run = await runWorkload(register(opts), {
        options: opts,
        faults: [],
        cluster: own,
        name: 'client-server-lost',
        signal,
        log: (line) => {
          console.log(`[client-server-lost] ${line}`)
          if (line.startsWith('running for'))
            timer = setTimeout(() => process.kill(victim.info.pid, 'SIGKILL'), 2_000)
        },
      }).finally(() => clearTimeout(timer))
      await attachRun({ annotate }, run)
      const error = `client server for ${victim.info.node} could not be restarted after 3 attempts: `
      const lost = run.history.filter((op) => op.f === CLIENT_SERVER_RESTART)
      expect(lost).toEqual([
        expect.objectContaining({ type: 'info', process: 'nemesis', error: expect.stringContaining(error) }),
      ])
      expect(lost[0].error).toMatch(/removed-binary is missing or not executable/)
      const results = new Run(run.run.dir).readResults()
      expect(results?.valid).toBe('unknown')
      expect(results?.checkers['client-servers']).toMatchObject({
        valid: 'unknown',
        lost: [{ node: victim.info.node }],
      })
      expect(results?.checkers['client-servers'].explanation).toContain(error)
      expect(results?.checkers.linearizable.valid).toBe(true) // unknown by the rule, not by the checker
      expect(readFileSync(run.reportPath, 'utf8')).toContain('client-servers')
    } finally {
      await supervisor.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test.skipIf(cluster.provider === 'ssh')(
    "a node's sshd restarted mid-run: the nemesis keeps working and the final heal succeeds",
    async ({ annotate, signal }) => {
      const victim = cluster.nodes[2]
      // Detached from the session it is started in, since that session dies with sshd: kill
      // every sshd of the node (its own pid namespace), then start sshd again 2 s later with the
      // command line of the listener (which sshd rewrites to "sshd: <command> [listener] ...").
      const restartSshd = async () => {
        const r = await SshRemote.connect(victim)
        try {
          const cmd = `tr "\\0" " " </proc/$(cat /run/sshd.pid)/cmdline | sed -e "s/^sshd: //" -e "s/ \\[listener\\].*//"`
          await r.exec(
            `setsid sh -c 'cmd=$(${cmd}); sleep 0.2; pkill -x sshd; sleep 2; exec $cmd' </dev/null >/dev/null 2>&1 &`,
          )
        } finally {
          await r.close()
        }
      }
      let restarted = false
      const opts = options({ timeLimit: 14, nemesisInterval: 2 })
      const { run, error, lines } = await runWith(
        opts,
        ['partition-one'],
        'ssh-drop',
        4_000,
        () => {
          restarted = true
          return restartSshd()
        },
        { signal },
      )
      if (!run) throw error
      await attachRun({ annotate }, run)
      expectSoundRun(run, ['partition-one'])
      expect(restarted).toBe(true)

      const log = lines.join('\n')
      expect(log).toContain(`ssh ${victim.name}: connection dropped`)
      expect(log).toMatch(new RegExp(`ssh ${victim.name}: reconnected \\(attempt \\d+\\)`))
      // Every fault op reached every node (each partition op heals the last one on all nodes),
      // also those at and after the restart (sshd down from about 4.2 s to 6.2 s of the run),
      // the final heal included.
      const completions = nemesisCompletionsAfter(run.history, 0)
      for (const op of completions) expect(op.error, `${op.f} at op ${op.index}`).toBeUndefined()
      expect(nemesisCompletionsAfter(run.history, 5e9).length).toBeGreaterThanOrEqual(3)
      expect(completions.at(-1)?.f).toBe('stop-partition')
      expect(lines.filter((l) => l.startsWith('heal: '))).toEqual([])
      expect(await taggedRules()).toEqual([])
      // Log collection (SFTP) went over the new connection too.
      expect(readdirSync(join(run.run.dir, 'nodes', victim.name))).toContain('etcd.log')
      // sshd is back for the tests that follow.
      await (await SshRemote.connect(victim)).close()
    },
  )

  test.skipIf(process.getuid?.() !== 0)(
    'a full disk under the store stops the run with a named error; the history parses; verdict unknown; nothing left behind',
    async ({ signal }) => {
      const mnt = mkdtempSync(join(tmpdir(), 'jepsen-disk-full-'))
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'jepsen-disk-full', mnt])
      try {
        const fill = () => {
          try {
            execFileSync('dd', ['if=/dev/zero', `of=${join(mnt, 'filler')}`, 'bs=64k'], { stdio: 'ignore' })
          } catch {
            // dd stops with ENOSPC, as intended
          }
        }
        const { run, error, lines } = await runWith(
          options({ timeLimit: 20, nemesisInterval: 2 }),
          ['partition-one'],
          'disk-full',
          3_000,
          fill,
          { signal, storeRoot: mnt },
        )
        expect(run, 'the run went on with a full disk').toBeUndefined()
        expect(error).toBeInstanceOf(HistoryWriteError)
        const e = error as HistoryWriteError
        const dir = join(mnt, 'disk-full', readdirSync(join(mnt, 'disk-full'))[0])
        const historyPath = join(dir, 'history.jsonl')
        expect(e.path).toBe(historyPath)
        expect(e.message).toMatch(
          new RegExp(
            `^writing the history ${historyPath} failed after ${e.opsWritten} ops were written: ENOSPC`,
          ),
        )
        expect(e.opsWritten).toBeGreaterThan(0)
        // Every line parses, and the file holds exactly the ops the error names.
        const text = readFileSync(historyPath, 'utf8')
        expect(text.endsWith('\n')).toBe(true)
        const parsed = text
          .split('\n')
          .slice(0, -1)
          .map((l) => JSON.parse(l) as Op)
        expect(parsed).toHaveLength(e.opsWritten)
        expect(readHistory(historyPath)).toEqual(parsed)
        expect(parsed.map((op) => op.index)).toEqual(parsed.map((_, i) => i))
        // Verdict unknown, saying why; no report over a truncated history.
        const results = new Run(dir).readResults()
        expect(results?.valid).toBe('unknown')
        expect(results?.checkers.history.explanation).toContain(e.message)
        expect(readdirSync(dir)).not.toContain('report.html')
        expect(lines.join('\n')).toContain(`verdict: unknown — ${e.message}`)
        // The cluster was healed: no partition rules left, every member serving.
        expect(await taggedRules()).toEqual([])
        expect(await allReady(30)).toEqual([])
      } finally {
        execFileSync('umount', [mnt])
        rmSync(mnt, { recursive: true, force: true })
      }
      expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(mnt)
    },
  )
})
