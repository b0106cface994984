// Test fixture: start a local (or lxc) cluster, print its info as one JSON line, then wait
// forever, so a test can SIGKILL this process and check that the next setup / teardown() cleans
// up after it.
// Usage: node --import tsx hold-cluster.ts <stateDir> <nodes> [local|lxc]
import { LocalCluster, LxcCluster } from '../clusters.ts'

const [stateDir, nodes = '2', provider = 'local'] = process.argv.slice(2)
const Kind = provider === 'lxc' ? LxcCluster : LocalCluster
const cluster = await new Kind({ nodes: Number(nodes), stateDir }).start()
process.stdout.write(`${JSON.stringify({ ...cluster.info, record: cluster.registration.record })}\n`)
setInterval(() => {}, 1 << 30)
