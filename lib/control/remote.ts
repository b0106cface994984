// The contract between the code that runs commands on nodes (ssh2, DESIGN §6) and everything
// that uses it (DB automation, nemesis, log collection). DB and nemesis code depend only on
// this interface, so they can be unit-tested against a recording fake.

/** How to reach one node. Structured-cloneable, so globalSetup can `provide` it. */
export interface NodeInfo {
  /** Node name, e.g. "n1"; also its hostname inside the node. */
  name: string
  /** Address that the DB listens on and that other nodes and clients use. */
  ip: string
  ssh: {
    host: string
    port: number
    username: string
    privateKeyPath: string
    /** known_hosts file written by the provider; host keys are checked against it. */
    knownHostsPath?: string
  }
}

export interface ExecOptions {
  /** Kill the command and fail after this long (default 60 s). */
  timeoutMs?: number
  /** Throw RemoteCommandError on a non-zero exit (default true). */
  check?: boolean
  /** Run through sudo (no-op when already root). */
  sudo?: boolean
  env?: Record<string, string>
  stdin?: string | Buffer
}

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

export class RemoteCommandError extends Error {
  constructor(
    readonly node: string,
    readonly command: string,
    readonly result: ExecResult,
  ) {
    super(
      `on ${node}: \`${command}\` exited ${result.code}${result.stderr ? `: ${result.stderr.trim().slice(-2000)}` : ''}`,
    )
  }
}

export interface Remote {
  readonly node: NodeInfo
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>
  upload(localPath: string, remotePath: string, mode?: number): Promise<void>
  download(remotePath: string, localPath: string): Promise<void>
  writeFile(remotePath: string, content: string | Buffer, mode?: number): Promise<void>
  close(): Promise<void>
}
