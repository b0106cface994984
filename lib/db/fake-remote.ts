// A recording fake of Remote for unit tests of DB (and nemesis) automation: it runs nothing,
// records every call in order, and answers exec with what a test-supplied responder returns
// (exit 0 with empty output by default).
import type { ExecOptions, ExecResult, NodeInfo, Remote } from '../control/remote.ts'
import { RemoteCommandError } from '../control/remote.ts'

export type RecordedCall =
  | { kind: 'exec'; command: string; opts?: ExecOptions }
  | { kind: 'upload'; localPath: string; remotePath: string; mode?: number }
  | { kind: 'download'; remotePath: string; localPath: string }
  | { kind: 'writeFile'; remotePath: string; content: string; mode?: number }

export type Responder = (command: string, node: NodeInfo) => Partial<ExecResult> | undefined

export class FakeRemote implements Remote {
  readonly calls: RecordedCall[] = []

  constructor(
    readonly node: NodeInfo,
    private readonly respond: Responder = () => undefined,
  ) {}

  /** The exec'd command lines, in order. */
  get commands(): string[] {
    return this.calls.flatMap((c) => (c.kind === 'exec' ? [c.command] : []))
  }

  /** Content last written to `path` with writeFile. */
  file(path: string): string | undefined {
    const writes = this.calls.filter((c) => c.kind === 'writeFile' && c.remotePath === path)
    return (writes.at(-1) as { content: string } | undefined)?.content
  }

  async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    this.calls.push({ kind: 'exec', command, opts })
    const result = { code: 0, stdout: '', stderr: '', ...this.respond(command, this.node) }
    if (result.code !== 0 && opts?.check !== false)
      throw new RemoteCommandError(this.node.name, command, result)
    return result
  }

  async upload(localPath: string, remotePath: string, mode?: number): Promise<void> {
    this.calls.push({ kind: 'upload', localPath, remotePath, mode })
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    this.calls.push({ kind: 'download', remotePath, localPath })
  }

  async writeFile(remotePath: string, content: string | Buffer, mode?: number): Promise<void> {
    this.calls.push({ kind: 'writeFile', remotePath, content: content.toString(), mode })
  }

  async close(): Promise<void> {}
}

/** Nodes n1..nN at 10.0.0.1..N with FakeRemotes sharing one responder, as a DbContext. */
export function fakeContext(count: number, respond?: Responder, ipOf = (i: number) => `10.0.0.${i}`) {
  const nodes: NodeInfo[] = Array.from({ length: count }, (_, i) => ({
    name: `n${i + 1}`,
    ip: ipOf(i + 1),
    ssh: { host: ipOf(i + 1), port: 22, username: 'root', privateKeyPath: '/dev/null' },
  }))
  const remotes = new Map(nodes.map((n) => [n.name, new FakeRemote(n, respond)]))
  const log: string[] = []
  return {
    ctx: { nodes, remotes, runId: 'run1', cacheDir: '/tmp/jepsen-cache', log: (m: string) => log.push(m) },
    remotes,
    log,
  }
}
