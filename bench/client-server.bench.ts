// `npm run bench -- client-server`: cost of ops through the TS client -> Rust client server ->
// a local single-member etcd, sequential (latency) and with 16 calls in flight (throughput).
// Baseline, same run: a call the server answers without the backend (TxnGet of an unknown id),
// i.e. the TS + gRPC + server overhead alone.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ClientServerClient, type Completion } from '../lib/client/client.ts'
import { startLocalEtcd } from '../lib/client/local-etcd.ts'
import { missingBinaryReason, startClientServer } from '../lib/client/server-process.ts'
import type { BenchSection } from './main.ts'

const SEQUENTIAL = 500
const CONCURRENT = 4_000
const IN_FLIGHT = 16

type Call = (client: ClientServerClient, i: number) => Promise<Completion>

const CALLS: [string, Call][] = [
  ['baseline: TxnGet unknown id (no backend)', (c) => c.txnGet(999_999_999, 'k')],
  ['Get', (c, i) => c.get(`k${i % 100}`)],
  ['Put', (c, i) => c.put(`k${i % 100}`, String(i))],
  ['Cas (mismatch half the time)', (c, i) => c.cas(`c${i % 100}`, i % 2 ? null : String(i - 1), String(i))],
  [
    'Txn list-append (append + read)',
    (c, i) =>
      c.txn(
        [
          ['append', i % 100, i],
          ['r', i % 100, null],
        ],
        { reads: 'list' },
      ),
  ],
]

async function opsPerSecond(
  client: ClientServerClient,
  call: Call,
  total: number,
  inFlight: number,
): Promise<number> {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        const c = await call(client, next++)
        if (c.type === 'info') throw new Error(`unexpected info: ${c.error}`)
      }
    }),
  )
  return total / ((performance.now() - t0) / 1000)
}

export default async function (): Promise<BenchSection[]> {
  const missing = missingBinaryReason()
  if (missing) return [{ title: 'client server (skipped)', rows: [], notes: [missing] }]
  const dir = mkdtempSync(join(tmpdir(), 'client-server-bench-'))
  const etcd = await startLocalEtcd(dir)
  const server = await startClientServer({
    node: 'bench',
    backend: 'etcd',
    endpoints: [etcd.clientUrl],
    logFile: join(dir, 'client-server.log'),
  })
  const client = new ClientServerClient({ address: server.info.address })
  try {
    const rows: Record<string, string | number>[] = []
    let base: { seq: number; conc: number } | undefined
    for (const [name, call] of CALLS) {
      await opsPerSecond(client, call, 50, 1) // warm-up
      const seq = await opsPerSecond(client, call, SEQUENTIAL, 1)
      const conc = await opsPerSecond(client, call, CONCURRENT, IN_FLIGHT)
      base ??= { seq, conc }
      rows.push({
        call: name,
        'latency ms (1 in flight)': (1000 / seq).toFixed(3),
        'x baseline latency': (base.seq / seq).toFixed(2),
        [`ops/s (${IN_FLIGHT} in flight)`]: Math.round(conc),
        'x baseline ops/s': (conc / base.conc).toFixed(2),
      })
    }
    return [
      {
        title: 'client server on a local etcd (TS client -> Rust server -> etcd)',
        rows,
        notes: [
          `${SEQUENTIAL} sequential and ${CONCURRENT} concurrent calls per row; fsync-bound etcd writes`,
        ],
      },
    ]
  } finally {
    client.close()
    await server.stop()
    await etcd.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
