// Small text helpers shared by the report and the results browser: how a verdict and a file
// size read on a page.
import type { Validity } from '../../checker/result.ts'

export function verdict(v: Validity | undefined): { cls: string; text: string } {
  if (v === true) return { cls: 'valid', text: 'valid' }
  if (v === false) return { cls: 'invalid', text: 'INVALID' }
  if (v === 'unknown') return { cls: 'unknown', text: 'unknown' }
  return { cls: 'none', text: 'not checked' }
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 ** 2).toFixed(1)} MiB`
}
