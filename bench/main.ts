// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose name contains one
// of NAME) and prints each section as a table. Figures are reported as ratios against a
// baseline measured in the same run, never asserted: timing belongs here, not in tests.
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface BenchSection {
  title: string
  /** One row per measurement; each row should carry its baseline ratio where one applies. */
  rows: Record<string, string | number>[]
  notes?: string[]
}

export type Bench = () => Promise<BenchSection[]>

const here = dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()

if (files.length === 0) {
  console.error(`no bench/*.bench.ts matches ${filters.join(', ')}`)
  process.exit(3)
}
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: Bench }
  for (const section of await mod.default()) {
    console.log(`\n## ${section.title}`)
    console.table(section.rows)
    for (const n of section.notes ?? []) console.log(`  ${n}`)
  }
}
