// A run that dies mid-fault, for the cleanup tests: partitions the cluster (partition-one) and
// pauses etcd on one node, prints "faulted <node>", then waits to be killed. With --heal-on-signal
// it installs the SIGINT/SIGTERM heal first, as a real run does. The cluster info comes as JSON
// in JEPSEN_TEST_CLUSTER, the run id in JEPSEN_TEST_RUN_ID.
import { etcd } from '../../lib/db/etcd.ts'
import { Rng } from '../../lib/generator/random.ts'
import { healOnSignal } from '../index.ts'
import { FaultNemesis } from '../nemesis.ts'
import { connect } from './connect.ts'
import { op } from './op.ts'

const info = JSON.parse(process.env.JEPSEN_TEST_CLUSTER ?? 'null')
const runId = process.env.JEPSEN_TEST_RUN_ID
if (!info || !runId)
  throw new Error('fault-child: set JEPSEN_TEST_CLUSTER (cluster info JSON) and JEPSEN_TEST_RUN_ID')
const ctx = await connect(info, runId)
const nemesis = new FaultNemesis({ db: etcd(), ctx, rng: new Rng(1) })
if (process.argv.includes('--heal-on-signal')) healOnSignal(nemesis)
const p = await nemesis.invoke(op('start-partition', 'one'))
const k = await nemesis.invoke(op('pause', { role: 'etcd', nodes: ['n2'] }))
if (p.error || k.error) throw new Error(`fault-child: ${p.error ?? k.error}`)
console.log(`faulted ${JSON.stringify(p.value)}`)
setInterval(() => {}, 1 << 30)
