// Renders the options table (lib/config/options.ts) as Markdown for the README, so the README's
// configuration section is generated from the code and a test keeps the two in step.
// `npx tsx lib/config/options-table.ts --write` rewrites the README block in place.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { OPTIONS, type OptionSpec } from './options.ts'
import { PACKAGE_ROOT } from './paths.ts'

export const README = join(PACKAGE_ROOT, 'README.md')
const START = '<!-- options-table:start -->'
const END = '<!-- options-table:end -->'

export function optionsMarkdown(): string {
  const rows = (Object.values(OPTIONS) as OptionSpec[]).map(
    (o) =>
      `| \`${o.flag}\` | \`${o.env}\` | ${o.default === undefined ? '—' : `\`${o.default}\``} | ${o.description.replaceAll('|', '\\|')} |`,
  )
  return ['| flag | environment variable | default | meaning |', '|---|---|---|---|', ...rows].join('\n')
}

/** The README text with its options block replaced by the current table. */
export function readmeWithOptions(readme: string): string {
  const a = readme.indexOf(START)
  const b = readme.indexOf(END)
  if (a < 0 || b < a) throw new Error(`${README}: missing ${START} … ${END} markers`)
  return `${readme.slice(0, a + START.length)}\n${optionsMarkdown()}\n${readme.slice(b)}`
}

if (process.argv.includes('--write')) writeFileSync(README, readmeWithOptions(readFileSync(README, 'utf8')))
