// The op a nemesis test hands to FaultNemesis.invoke: an info op of the nemesis process, as the
// runner would pass it.
import type { Op } from '../../lib/history/op.ts'

export const op = (f: string, value?: unknown): Op => ({
  index: 0,
  time: 0,
  type: 'info',
  process: 'nemesis',
  f,
  value,
})
