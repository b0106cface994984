// `jepsen-tikv serve`: a read-only results browser over store/ on localhost (lib/serve).

import { DEFAULT_STORE } from '../config/paths.ts'
import { serveStore } from '../serve/serve.ts'
import { Command, InvalidArgumentError } from './commander.ts'

export function serveCommand(): Command {
  return new Command('serve')
    .option('--store <dir>', 'store directory', DEFAULT_STORE)
    .option(
      '--port <n>',
      'port (0 picks a free one)',
      (v) => {
        const n = Number(v)
        if (!Number.isInteger(n) || n < 0 || n > 65535)
          throw new InvalidArgumentError('must be a port number 0..65535')
        return n
      },
      8080,
    )
    .option('--host <addr>', 'loopback address to bind', '127.0.0.1')
    .action(async (o: { store: string; port: number; host: string }) => {
      const served = await serveStore({ root: o.store, port: o.port, host: o.host })
      console.log(`serving ${o.store} at ${served.url} (Ctrl-C to stop)`)
      process.once('SIGINT', () => served.close().then(() => process.exit(0)))
    })
}
