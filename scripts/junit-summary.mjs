#!/usr/bin/env node
// Prints one plain line, "vitest: N passed, N failed, N skipped", from a JUnit report
// (default reports/junit.xml), for CI logs: Vitest's own summary is coloured and multi-part.
import { readFileSync } from 'node:fs'

const file = process.argv[2] ?? 'reports/junit.xml'
const xml = readFileSync(file, 'utf8')
const root = xml.match(/<testsuites[^>]*>/)?.[0]
if (!root) {
  console.error(`${file}: no <testsuites> element`)
  process.exit(3)
}
const attr = (name) => Number(root.match(new RegExp(`${name}="(\\d+)"`))?.[1] ?? 0)
const skipped = xml.match(/<skipped/g)?.length ?? 0
const failed = attr('failures') + attr('errors')
console.log(`vitest: ${attr('tests') - failed - skipped} passed, ${failed} failed, ${skipped} skipped`)
