// Ready-made clusters per provider: LocalCluster (namespaces on this host), LxcCluster and
// SshCluster (existing hosts), and clusterFromConfig for globalSetup and the CLI.

import { Cluster, type ClusterOptions, type StartedCluster } from './cluster.ts'
import type { ClusterConfig } from './config.ts'
import { LocalProvider, type LocalProviderOptions } from './local.ts'
import { LxcProvider, type LxcProviderOptions } from './lxc.ts'
import { type SshHostsOptions, SshHostsProvider } from './ssh-hosts.ts'

export class LocalCluster extends Cluster {
  constructor(opts: LocalProviderOptions & ClusterOptions = {}) {
    super(new LocalProvider(opts), opts)
  }
}

export class LxcCluster extends Cluster {
  constructor(opts: LxcProviderOptions & ClusterOptions = {}) {
    super(new LxcProvider(opts), opts)
  }

  /** Builds the base image first (minutes when cold), outside start()'s provisioning timeout. */
  override async start(): Promise<StartedCluster> {
    await (this.provider as LxcProvider).prepare()
    return super.start()
  }
}

export class SshCluster extends Cluster {
  constructor(opts: SshHostsOptions & ClusterOptions) {
    super(new SshHostsProvider(opts), opts)
  }
}

/** The cluster (without DB or client servers yet) that validated config asks for. */
export function clusterFromConfig(config: ClusterConfig, opts: ClusterOptions = {}): Cluster {
  const common = { ...opts, stateDir: config.stateDir }
  switch (config.provider) {
    case 'local':
      return new LocalCluster({ ...common, nodes: config.nodes as number })
    case 'lxc':
      return new LxcCluster({ ...common, nodes: config.nodes as number })
    case 'ssh':
      return new SshCluster({
        ...common,
        hosts: config.nodes as string[],
        privateKeyPath: config.sshPrivateKey as string,
        username: config.sshUser,
      })
  }
}
