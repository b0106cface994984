// Watch mode for checker authors (DESIGN §2): load a saved history or store run with
// loadHistory and re-check it; `npx vitest --project checker checker/linearizable/saved-history`
// re-runs this on every save. Point it at `store/latest` to check your last real run.
import { expect, test } from 'vitest'
import { loadHistory } from '../../lib/history/load.ts'
import { reference } from '../../lib/history/testing/reference.ts'

test('a saved peer history re-checked from disk', async () => {
  const history = await loadHistory(reference('porcupine/test_data/jepsen/etcd_002.log'))
  expect(history.length).toBeGreaterThan(0)
  await expect(history).toBeLinearizable({ model: 'cas-register', timeLimit: 10 })
})
