import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { README, readmeWithOptions } from './options-table.ts'

test('the README configuration table matches lib/config/options.ts (regenerate: npx tsx lib/config/options-table.ts --write)', () => {
  const readme = readFileSync(README, 'utf8')
  expect(readme).toBe(readmeWithOptions(readme))
})
