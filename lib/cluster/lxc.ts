// The `lxc` provider (placeholder until implemented below).
import type { NodeInfo } from '../control/remote.ts'
import type { Provider, ProvisionContext } from './provider.ts'

export interface LxcProviderOptions {
  nodes?: number
}

export class LxcProvider implements Provider {
  readonly name = 'lxc'
  readonly nodeCount: number
  constructor(opts: LxcProviderOptions = {}) {
    this.nodeCount = opts.nodes ?? 5
  }
  async provision(_ctx: ProvisionContext): Promise<NodeInfo[]> {
    throw new Error('lxc provider: not implemented yet')
  }
}
