// Remote control of one node over ssh2 (DESIGN §6): exec with exit code, stdout and stderr,
// per-command timeouts, sudo, SFTP upload/download/writeFile and keepalives. The host key is
// checked against the known_hosts file the provider wrote; connecting retries with backoff
// while sshd starts, but a wrong host key fails at once. A connection that drops (sshd
// restarted, connection reset, keepalives unanswered) is re-established on next use, each
// attempt logged, within connectTimeoutMs; an action the drop interrupted is tried again (up to
// `retries` times), so node commands must be idempotent (they are: pidfile daemons, run-tagged
// iptables rules, signals to pidfiles).
import { readFile } from 'node:fs/promises'
import { constants } from 'node:os'
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2'
import { recordedKeys } from './known-hosts.ts'
import type { ExecOptions, ExecResult, NodeInfo, Remote } from './remote.ts'
import { RemoteCommandError } from './remote.ts'
import { quote } from './shell.ts'

export interface SshOptions {
  /** Keep retrying the connection this long while sshd is not up yet (default 30 s). */
  connectTimeoutMs?: number
  /** Default per-command timeout (default 60 s); ExecOptions.timeoutMs overrides it. */
  commandTimeoutMs?: number
  /** Interval of SSH keepalive messages (default 5 s); 3 unanswered ones drop the connection. */
  keepaliveIntervalMs?: number
  /** How often an action interrupted by a dropped connection is tried again (default 3). */
  retries?: number
  /** Where dropped connections, reconnect attempts and retries are reported (default: nowhere). */
  log?: (message: string) => void
}

export class HostKeyError extends Error {}

export class RemoteTimeoutError extends Error {
  constructor(
    readonly node: string,
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`on ${node}: \`${command}\` did not finish within ${timeoutMs} ms; killed`)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What ssh2 says when an action meets a connection that is already gone. */
const GONE = /^(Not connected|No response from server)$/

/** Prefix exports and sudo to a command, as the remote login shell will run it. */
export function wrapCommand(command: string, opts: ExecOptions, username: string): string {
  const exports = Object.entries(opts.env ?? {})
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`bad environment variable name "${k}"`)
      return `export ${k}=${quote(v)}; `
    })
    .join('')
  const full = exports + command
  return opts.sudo && username !== 'root' ? `sudo -n -- sh -c ${quote(full)}` : full
}

export class SshRemote implements Remote {
  private client: Client | undefined
  private connecting: Promise<Client> | undefined
  private sftpSession: { client: Client; sftp: Promise<SFTPWrapper> } | undefined
  private closed = false
  /** Set once connected: later connections are reconnects, and are logged. */
  private connectedOnce = false

  private constructor(
    readonly node: NodeInfo,
    private readonly privateKey: Buffer,
    private readonly opts: SshOptions,
  ) {}

  /** Connect to a node (retrying while its sshd starts). */
  static async connect(node: NodeInfo, opts: SshOptions = {}): Promise<SshRemote> {
    const remote = new SshRemote(node, await readFile(node.ssh.privateKeyPath), opts)
    await remote.connection()
    return remote
  }

  private async expectedKeys(): Promise<Buffer[]> {
    const { host, port, knownHostsPath } = this.node.ssh
    if (!knownHostsPath) {
      throw new HostKeyError(
        `node ${this.node.name}: no knownHostsPath; refusing to connect without host key checking`,
      )
    }
    const keys = await recordedKeys(knownHostsPath, host, port)
    if (keys.length === 0) {
      throw new HostKeyError(`node ${this.node.name}: no key for ${host}:${port} in ${knownHostsPath}`)
    }
    return keys
  }

  private log(message: string): void {
    this.opts.log?.(`ssh ${this.node.name}: ${message}`)
  }

  private connectOnce(expected: Buffer[]): Promise<Client> {
    const { host, port, username } = this.node.ssh
    return new Promise((resolve, reject) => {
      const client = new Client()
      let presented: Buffer | undefined
      let lastError: Error | undefined
      client
        .once('ready', () => resolve(client))
        .on('error', (err) => {
          lastError = err
          client.end()
          reject(
            presented && !expected.some((k) => k.equals(presented as Buffer))
              ? new HostKeyError(
                  `node ${this.node.name}: host key of ${host}:${port} does not match ${this.node.ssh.knownHostsPath}`,
                )
              : err,
          )
        })
        .on('close', () => {
          if (this.client !== client) return
          this.client = undefined
          if (!this.closed)
            this.log(
              `connection dropped${lastError ? ` (${lastError.message})` : ''}; reconnecting on next use`,
            )
        })
        .connect({
          host,
          port,
          username,
          privateKey: this.privateKey,
          readyTimeout: 10_000,
          keepaliveInterval: this.opts.keepaliveIntervalMs ?? 5_000,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => {
            presented = key
            return expected.some((k) => k.equals(key))
          },
        })
    })
  }

  /** The live connection, (re)connecting with backoff if needed. */
  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error(`node ${this.node.name}: remote is closed`))
    if (this.client) return Promise.resolve(this.client)
    this.connecting ??= (async () => {
      const expected = await this.expectedKeys()
      const timeoutMs = this.opts.connectTimeoutMs ?? 30_000
      const deadline = Date.now() + timeoutMs
      const reconnect = this.connectedOnce
      let delay = 25
      for (let attempt = 1; ; attempt++) {
        try {
          this.client = await this.connectOnce(expected)
          if (reconnect) this.log(`reconnected (attempt ${attempt})`)
          this.connectedOnce = true
          return this.client
        } catch (err) {
          const message = (err as Error).message
          if (err instanceof HostKeyError || Date.now() + delay > deadline) {
            const { host, port } = this.node.ssh
            if (reconnect) this.log(`reconnect attempt ${attempt} failed (${message}); giving up`)
            throw err instanceof HostKeyError
              ? err
              : new Error(
                  `node ${this.node.name}: ssh to ${host}:${port} failed after ${attempt} attempts in ${timeoutMs / 1000} s: ${message}`,
                )
          }
          if (reconnect) this.log(`reconnect attempt ${attempt} failed (${message}); next in ${delay} ms`)
          await sleep(delay)
          delay = Math.min(delay * 2, 1_000)
        }
      }
    })().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  /**
   * Runs `action` on the live connection; when the connection drops under it, reconnects and
   * runs it again, up to `retries` times, logging each retry.
   */
  private async withReconnect<T>(what: string, action: (client: Client) => Promise<T>): Promise<T> {
    const retries = this.opts.retries ?? 3
    for (let attempt = 0; ; attempt++) {
      const client = await this.connection()
      try {
        return await action(client)
      } catch (err) {
        if (this.closed || err instanceof RemoteTimeoutError || !this.dropped(client, err as Error)) throw err
        const message = (err as Error).message
        if (attempt >= retries)
          throw new Error(
            `node ${this.node.name}: ${what}: the ssh connection dropped ${attempt + 1} times; giving up (${message})`,
          )
        this.log(
          `${what} interrupted by a dropped connection (${message}); retry ${attempt + 1} of ${retries}`,
        )
      }
    }
  }

  /** Whether `err` means that `client`'s connection is gone (it is then dropped for a new one). */
  private dropped(client: Client, err: Error): boolean {
    if (this.client !== client) return true
    if (!GONE.test(err.message)) return false
    this.client = undefined
    client.end()
    return true
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const full = wrapCommand(command, opts, this.node.ssh.username)
    const result = await this.withReconnect(`\`${command.split('\n')[0].slice(0, 80)}\``, (client) =>
      this.execOnce(client, command, full, opts),
    )
    if (result.code !== 0 && opts.check !== false)
      throw new RemoteCommandError(this.node.name, command, result)
    return result
  }

  private execOnce(client: Client, command: string, full: string, opts: ExecOptions): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs ?? 60_000
    const node = this.node.name
    const gone = () => this.client !== client
    // Listeners are attached in the exec callback itself: a short command's exit status can
    // arrive in the same packet batch as the channel confirmation, before any later tick.
    return new Promise<ExecResult>((resolve, reject) => {
      client.exec(full, (err, channel) => (err ? reject(err) : collect(channel, resolve, reject)))
    })

    function collect(
      channel: ClientChannel,
      resolve: (r: ExecResult) => void,
      reject: (e: Error) => void,
    ): void {
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      let code: number | undefined
      let signal: string | undefined
      const timer = setTimeout(() => {
        channel.signal('KILL')
        channel.close()
        reject(new RemoteTimeoutError(node, command, timeoutMs))
      }, timeoutMs)
      channel.on('data', (d: Buffer) => stdout.push(d))
      channel.stderr.on('data', (d: Buffer) => stderr.push(d))
      channel.on('exit', (c: number | null, s?: string) => {
        code = c ?? undefined
        signal = s
      })
      channel.on('close', () => {
        clearTimeout(timer)
        if (code === undefined && signal === undefined && gone()) {
          reject(new Error('the connection closed before the command finished'))
          return
        }
        resolve({
          // A command killed by a signal has no exit code; report it as the shell would.
          code: code ?? (signal ? 128 + (constants.signals[`SIG${signal}` as NodeJS.Signals] ?? 0) : 255),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
        })
      })
      channel.end(opts.stdin)
    }
  }

  /** The SFTP session of `client`'s connection (one per connection). */
  private sftp(client: Client): Promise<SFTPWrapper> {
    if (this.sftpSession?.client !== client) {
      const sftp = new Promise<SFTPWrapper>((resolve, reject) =>
        client.sftp((err, s) => (err ? reject(err) : resolve(s))),
      )
      const session = { client, sftp }
      sftp.catch(() => {
        if (this.sftpSession === session) this.sftpSession = undefined
      })
      this.sftpSession = session
    }
    return this.sftpSession.sftp
  }

  /** Runs an SFTP action (reconnecting like exec); its error names the node and the action. */
  private withSftp(what: string, action: (sftp: SFTPWrapper) => Promise<void>): Promise<void> {
    return this.withReconnect(what, async (client) => action(await this.sftp(client))).catch((err: Error) => {
      throw err.message.startsWith(`node ${this.node.name}:`)
        ? err
        : new Error(`node ${this.node.name}: ${what} failed: ${err.message}`)
    })
  }

  upload(localPath: string, remotePath: string, mode?: number): Promise<void> {
    return this.withSftp(`upload ${localPath} -> ${remotePath}`, async (sftp) => {
      await new Promise<void>((resolve, reject) =>
        sftp.fastPut(localPath, remotePath, mode === undefined ? {} : { mode }, (err) =>
          err ? reject(err) : resolve(),
        ),
      )
      if (mode !== undefined) await this.chmod(sftp, remotePath, mode)
    })
  }

  download(remotePath: string, localPath: string): Promise<void> {
    return this.withSftp(
      `download ${remotePath} -> ${localPath}`,
      (sftp) =>
        new Promise<void>((resolve, reject) =>
          sftp.fastGet(remotePath, localPath, (err) => (err ? reject(err) : resolve())),
        ),
    )
  }

  writeFile(remotePath: string, content: string | Buffer, mode?: number): Promise<void> {
    return this.withSftp(`write ${remotePath}`, async (sftp) => {
      await new Promise<void>((resolve, reject) =>
        sftp.writeFile(remotePath, content, mode === undefined ? {} : { mode }, (err) =>
          err ? reject(err) : resolve(),
        ),
      )
      if (mode !== undefined) await this.chmod(sftp, remotePath, mode)
    })
  }

  /** Modes given at create time are masked by the umask; set them explicitly. */
  private chmod(sftp: SFTPWrapper, path: string, mode: number): Promise<void> {
    return new Promise((resolve, reject) =>
      sftp.chmod(path, mode, (err) => (err ? reject(new Error(`chmod ${path}: ${err.message}`)) : resolve())),
    )
  }

  async close(): Promise<void> {
    this.closed = true
    const client = this.client
    this.client = undefined
    if (!client) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000) // a connection that already died emits no 'close'
      client.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      client.end()
    })
  }
}
