// A throwaway single-member etcd on loopback (free ports, temp data dir, log file), for tests
// and benchmarks of the client server that need a real backend but no cluster.
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

export const ETCD_BINARY = '/usr/bin/etcd'

export interface LocalEtcd {
  clientUrl: string
  logFile: string
  pid: number
  /** SIGKILL the member (by its pid) and wait until it has exited. */
  kill(): Promise<void>
  /** SIGSTOP / SIGCONT the member (by its pid): connections stay open but nothing answers. */
  pause(): void
  resume(): void
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  await new Promise((done) => server.close(done))
  if (address === null || typeof address === 'string') throw new Error(`no TCP port from ${address}`)
  return address.port
}

/** Starts etcd with its data and log in `dir`; readiness is left to the caller. */
export async function startLocalEtcd(dir: string): Promise<LocalEtcd> {
  const clientUrl = `http://127.0.0.1:${await freePort()}`
  const peerUrl = `http://127.0.0.1:${await freePort()}`
  const logFile = join(dir, 'etcd.log')
  const logFd = openSync(logFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(
      ETCD_BINARY,
      [
        ...['--name', 'n1', '--data-dir', join(dir, 'etcd')],
        ...['--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl],
        ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
        ...['--initial-cluster', `n1=${peerUrl}`],
      ],
      { stdio: ['ignore', logFd, logFd] },
    )
  } finally {
    closeSync(logFd)
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.once('error', (e) => console.error(`cannot run ${ETCD_BINARY}: ${e.message}`))
  return {
    clientUrl,
    logFile,
    pid: child.pid ?? -1,
    async kill() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        child.kill('SIGCONT')
        child.kill('SIGKILL')
        await exited
      }
    },
    pause() {
      child.kill('SIGSTOP')
    },
    resume() {
      child.kill('SIGCONT')
    },
  }
}
