// Cluster options read from the environment (JEPSEN_DB, JEPSEN_NODES, JEPSEN_PROVIDER, ...) and
// validated before anything is provisioned; errors name the variable and the allowed values.
import { z } from 'zod'
import { DBS, PROVIDERS } from '../config/options.ts'

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true')

/** A node count ("5") or a comma-separated host list ("n1,n2,10.0.0.3:2222"). */
const nodes = z
  .string()
  .trim()
  .min(1)
  .transform((v, ctx): number | string[] => {
    if (/^\d+$/.test(v)) {
      const n = Number(v)
      if (n < 1 || n > 200) ctx.addIssue({ code: 'custom', message: `a node count must be 1..200, got ${v}` })
      return n
    }
    const hosts = v.split(',').map((h) => h.trim())
    if (hosts.some((h) => !/^[A-Za-z0-9._-]+(:\d+)?$/.test(h))) {
      ctx.addIssue({ code: 'custom', message: `expected a count or host[:port],host[:port],..., got "${v}"` })
    }
    return hosts
  })

const envShape = {
  JEPSEN_DB: z.enum(DBS).default('etcd'),
  JEPSEN_PROVIDER: z.enum(PROVIDERS).optional(),
  JEPSEN_NODES: nodes.default(5),
  JEPSEN_SSH_PRIVATE_KEY: z.string().min(1).optional(),
  JEPSEN_SSH_USER: z.string().min(1).default('root'),
  JEPSEN_LEAVE_DB_RUNNING: flag.default(false),
  JEPSEN_STATE_DIR: z.string().startsWith('/').default('/var/lib/jepsen-tikv'),
  TIKV_VERSION: z
    .string()
    .regex(/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'expected a version like v8.5.1')
    .optional(),
}

const envSchema = z.object(envShape).transform((env, ctx) => {
  const hostList = Array.isArray(env.JEPSEN_NODES)
  const provider = env.JEPSEN_PROVIDER ?? (hostList ? 'ssh' : 'local')
  if (provider === 'ssh' && !hostList) {
    ctx.addIssue({
      code: 'custom',
      path: ['JEPSEN_NODES'],
      message: 'JEPSEN_PROVIDER=ssh needs a host list (e.g. JEPSEN_NODES=n1,n2,n3), not a count',
    })
  }
  if (provider === 'ssh' && !env.JEPSEN_SSH_PRIVATE_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['JEPSEN_SSH_PRIVATE_KEY'],
      message: 'JEPSEN_PROVIDER=ssh needs the path of a private key',
    })
  }
  if (provider !== 'ssh' && hostList) {
    ctx.addIssue({
      code: 'custom',
      path: ['JEPSEN_NODES'],
      message: `a host list needs JEPSEN_PROVIDER=ssh; provider "${provider}" takes a count`,
    })
  }
  return {
    db: env.JEPSEN_DB,
    provider,
    nodes: env.JEPSEN_NODES,
    sshPrivateKey: env.JEPSEN_SSH_PRIVATE_KEY,
    sshUser: env.JEPSEN_SSH_USER,
    leaveDbRunning: env.JEPSEN_LEAVE_DB_RUNNING,
    stateDir: env.JEPSEN_STATE_DIR,
    tikvVersion: env.TIKV_VERSION,
  }
})

export type ClusterConfig = z.output<typeof envSchema>

export class ConfigError extends Error {}

/** Parse and validate the cluster options from `env`; throws ConfigError naming each bad variable. */
export function clusterConfigFromEnv(env: Record<string, string | undefined> = process.env): ClusterConfig {
  const picked = Object.fromEntries(Object.keys(envShape).map((k) => [k, env[k] === '' ? undefined : env[k]]))
  const parsed = envSchema.safeParse(picked)
  if (parsed.success) return parsed.data
  const lines = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment')
    const value = picked[name]
    return `  ${name}${value === undefined ? '' : `="${value}"`}: ${issue.message}`
  })
  throw new ConfigError(`invalid cluster configuration:\n${lines.join('\n')}`)
}
