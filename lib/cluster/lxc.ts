// The `lxc` provider (DESIGN §6: Debian containers cloned with overlay from a cached base
// image) is not implemented yet; choosing it fails before anything is provisioned. The recipe
// it should follow is shared/notes/local-cluster-recipe.md §D.
import type { NodeInfo } from '../control/remote.ts'
import type { Provider } from './provider.ts'

export interface LxcProviderOptions {
  nodes?: number
}

export class LxcProvider implements Provider {
  readonly name = 'lxc'
  readonly nodeCount: number

  constructor(opts: LxcProviderOptions = {}) {
    this.nodeCount = opts.nodes ?? 5
    throw new Error('JEPSEN_PROVIDER=lxc: the lxc provider is not implemented yet (allowed now: local, ssh)')
  }

  provision(): Promise<NodeInfo[]> {
    return Promise.reject(new Error('lxc provider: not implemented'))
  }
}
