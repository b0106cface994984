// Loading saved histories in checker tests (watch mode for checker authors, DESIGN §2):
//
//   test('my checker on the last run', async () => {
//     await expect(await loadHistory('store/latest')).toBeLinearizable({ model: 'cas-register' })
//   })
//
// `npx vitest --project checker` then re-checks the saved run on every save. The path may be a
// history file in any format readHistory accepts, or a store run directory (its history.jsonl);
// relative paths are resolved against the current directory (the repo root under Vitest).
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Op } from './op.ts'
import { readHistory, resolveHistoryPath } from './read.ts'

export async function loadHistory(pathOrRunDir: string): Promise<Op[]> {
  return readHistory(resolve(pathOrRunDir))
}

/** Lines naming where a history came from (and its run's report, if any), for matcher messages. */
export function describeSource(pathOrRunDir: string): string {
  const report = join(dirname(resolveHistoryPath(pathOrRunDir)), 'report.html')
  return `\nhistory: ${pathOrRunDir}${existsSync(report) ? `\nreport: ${report}` : ''}`
}
