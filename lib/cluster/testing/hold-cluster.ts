// Test fixture: start a local cluster, print its info as one JSON line, then wait forever, so a
// test can SIGKILL this process and check that the next setup / teardown() cleans up after it.
// Usage: node --import tsx hold-cluster.ts <stateDir> <nodes>
import { LocalCluster } from '../clusters.ts'

const [stateDir, nodes = '2'] = process.argv.slice(2)
const cluster = await new LocalCluster({ nodes: Number(nodes), stateDir }).start()
process.stdout.write(`${JSON.stringify({ ...cluster.info, record: cluster.registration.record })}\n`)
setInterval(() => {}, 1 << 30)
