// The reference histories in testdata/ (Porcupine, Knossos and Elle data; testdata/NOTICE says
// where each comes from) and the expected verdicts of testdata/manifest.json, for tests and
// benchmarks. Nothing here reads ../shared: a plain clone has everything it needs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export const REFERENCE_DIR = join(import.meta.dirname, '../../../testdata')

/** Absolute path of a file under testdata/, e.g. `reference('porcupine/test_data/kv/c50-ok.txt')`. */
export const reference = (path: string): string => join(REFERENCE_DIR, path)

export interface LinearizableExpectation {
  /** Path under testdata/. */
  file: string
  model: 'cas-register' | 'kv' | 'multi-register'
  /** The model's initial value when it is not the model's default. */
  initial?: unknown
  valid: boolean
  /** The op a checker must report as the one that cannot be linearized. */
  failure?: { process: number; f: string; value: unknown; completeIndex: number }
}

export interface Manifest {
  linearizable: LinearizableExpectation[]
  empty: string[]
  parseOnly: { file: string; why: string }[]
  elle: { cases: string; count: number; matrix: string }
}

export const manifest = (): Manifest =>
  JSON.parse(readFileSync(reference('manifest.json'), 'utf8')) as Manifest
