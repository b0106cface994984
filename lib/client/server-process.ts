// Starts and stops one Rust client server process per DB node on the control host (DESIGN §8):
// dynamic port read from its `LISTENING <addr>` line, stderr (its log) into a given file,
// readiness through the Health RPC (the backend answers, or for a restart only the server),
// `exited` for whoever supervises it, stop by its own pid (SIGTERM, then SIGKILL).
import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, closeSync, constants, openSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { PACKAGE_ROOT } from '../config/paths.ts'
import { ClientServerClient } from './client.ts'

const BINARY_NAME = 'jepsen-tikv-client-server'

/** The binary to run: $JEPSEN_CLIENT_SERVER_BIN, else the release build (honouring $CARGO_TARGET_DIR). */
export function clientServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JEPSEN_CLIENT_SERVER_BIN) return env.JEPSEN_CLIENT_SERVER_BIN
  const targetDir = env.CARGO_TARGET_DIR ?? join(PACKAGE_ROOT, 'rust-client-server/target')
  return join(targetDir, 'release', BINARY_NAME)
}

/** Why the binary cannot be run, or undefined when it can. */
export function missingBinaryReason(binary = clientServerBinary()): string | undefined {
  try {
    accessSync(binary, constants.X_OK)
    return undefined
  } catch {
    return `client server binary ${binary} is missing or not executable; build it with "npm run build:server" or set JEPSEN_CLIENT_SERVER_BIN`
  }
}

export interface ClientServerOptions {
  /** Node the server is attached to (for messages). */
  node: string
  backend: 'tikv' | 'etcd'
  /** TiKV: PD addresses ("ip:2379"); etcd: client URLs ("http://ip:2379"). */
  endpoints: string[]
  /** File that receives the server's log (appended). */
  logFile: string
  /** Address to bind; default 127.0.0.1:0 (dynamic port). */
  listen?: string
  binary?: string
  /** How long to wait for the LISTENING line (default 10 s). */
  listenTimeoutMs?: number
  /** How long to wait for Health to report ready (default 30 s). */
  readyTimeoutMs?: number
  /**
   * What "ready" means: `backend` (default) waits until the backend answers; `server` only until
   * the server answers Health (a restart mid-run, when the node itself may be partitioned or down).
   */
  waitFor?: 'backend' | 'server'
  /** Deadline of the Health probes (default 2 s). */
  probeTimeoutMs?: number
  extraArgs?: string[]
  /**
   * Stop the server when this process exits, even by a crash (default true): it gets a stdin
   * pipe and `--exit-with-stdin`. Set false to keep it running after the harness.
   */
  exitWithParent?: boolean
}

/** Structured-cloneable facts about a running client server. */
export interface ClientServerInfo {
  node: string
  address: string
  pid: number
  logFile: string
}

/** How a client server process ended. */
export interface ClientServerExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export class ClientServerProcess {
  constructor(
    readonly info: ClientServerInfo,
    private readonly child: ChildProcess,
    /** Resolves when the process has exited, however it ended. */
    readonly exited: Promise<ClientServerExit>,
  ) {}

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 3_000): Promise<void> {
    if (!this.running || this.child.pid === undefined) return
    this.child.kill('SIGTERM')
    const stopped = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)])
    if (!stopped) {
      this.child.kill('SIGKILL')
      await this.exited
    }
  }
}

function describe(options: ClientServerOptions): string {
  return `client server for node ${options.node} (log: ${options.logFile})`
}

async function readListening(
  child: ChildProcess,
  options: ClientServerOptions,
  exited: Promise<ClientServerExit>,
): Promise<string> {
  const timeoutMs = options.listenTimeoutMs ?? 10_000
  const lines = createInterface({ input: child.stdout! })
  const listening = new Promise<string>((resolveAddress) => {
    lines.on('line', (line) => {
      const match = /^LISTENING (\S+)$/.exec(line.trim())
      if (match) resolveAddress(match[1])
    })
  })
  const failure = Promise.race([
    exited.then(() => `exited (code ${child.exitCode}, signal ${child.signalCode}) before listening`),
    sleep(timeoutMs).then(() => `printed no LISTENING line within ${timeoutMs} ms`),
  ])
  const outcome = await Promise.race([
    listening.then((address) => ({ address })),
    failure.then((reason) => ({ reason })),
  ])
  if ('reason' in outcome) throw new Error(`${describe(options)} ${outcome.reason}`)
  return outcome.address
}

async function waitReady(address: string, options: ClientServerOptions): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 30_000
  const client = new ClientServerClient({ address, timeoutMs: options.probeTimeoutMs ?? 2_000 })
  const deadline = Date.now() + timeoutMs
  const serverOnly = options.waitFor === 'server'
  try {
    let last = 'no probe answered'
    while (Date.now() < deadline) {
      const health = await client.health()
      if (health.ready || (serverOnly && health.answered)) return
      last = health.message
      await sleep(200)
    }
    throw new Error(`${describe(options)} at ${address} not ready after ${timeoutMs} ms: ${last}`)
  } finally {
    client.close()
  }
}

/** The client server's command line for these options. */
export function clientServerArgs(options: ClientServerOptions): string[] {
  return [
    '--listen',
    options.listen ?? '127.0.0.1:0',
    '--backend',
    options.backend,
    '--endpoints',
    options.endpoints.join(','),
    ...(options.extraArgs ?? []),
    ...((options.exitWithParent ?? true) ? ['--exit-with-stdin'] : []),
  ]
}

/** Starts a client server and waits until its backend answers. Throws (after killing it) otherwise. */
export async function startClientServer(options: ClientServerOptions): Promise<ClientServerProcess> {
  const binary = options.binary ?? clientServerBinary()
  const missing = missingBinaryReason(binary)
  if (missing) throw new Error(`${describe(options)}: ${missing}`)
  const args = clientServerArgs(options)
  const exitWithParent = options.exitWithParent ?? true
  const logFd = openSync(options.logFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(binary, args, { stdio: [exitWithParent ? 'pipe' : 'ignore', 'pipe', logFd] })
  } finally {
    closeSync(logFd)
  }
  const exited = new Promise<ClientServerExit>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  )
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) => reject(new Error(`${describe(options)}: cannot run ${binary}: ${e.message}`))),
  )
  spawnError.catch(() => {}) // only awaited while starting
  const proc = (address: string) =>
    new ClientServerProcess(
      { node: options.node, address, pid: child.pid ?? -1, logFile: options.logFile },
      child,
      exited,
    )
  let address: string | undefined
  try {
    address = await Promise.race([readListening(child, options, exited), spawnError])
    await waitReady(address, options)
    return proc(address)
  } catch (e) {
    await proc(address ?? '').stop()
    throw e
  }
}
