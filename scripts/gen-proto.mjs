#!/usr/bin/env node
// Generates the TypeScript gRPC client (ts-proto for nice-grpc) from proto/ into
// lib/client/generated/ (gitignored; DESIGN §8: generated at build time, never committed).
// Idempotent: the output directory is rebuilt from scratch on every run.
// Usage: npm run gen:proto   (needs protoc: apt-get install protobuf-compiler)
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const protoRoot = join(root, 'proto')
const outDir = join(root, 'lib/client/generated')
const plugin = join(root, 'node_modules/.bin/protoc-gen-ts_proto')
const protoc = process.env.PROTOC || 'protoc'

// nice-grpc service definitions; plain `number` for int64 (ids and values stay below 2^53;
// ts-proto throws if one does not), except fields marked `[jstype = JS_STRING]` (transaction
// timestamps, which exceed 2^53): decimal strings; `.js` import suffixes so NodeNext resolution (tsc, tsx,
// vitest) accepts the generated imports.
const options = [
  'outputServices=nice-grpc',
  'outputServices=generic-definitions',
  'useExactTypes=false',
  'esModuleInterop=true',
  'importSuffix=.js',
  'forceLong=number',
  'useJsTypeOverride=true',
  'env=node',
]

function fail(message) {
  console.error(`gen-proto: ${message}`)
  process.exit(1)
}

function protoFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return protoFiles(path)
    return entry.name.endsWith('.proto') ? [path] : []
  })
}

const probe = spawnSync(protoc, ['--version'], { encoding: 'utf8' })
if (probe.error || probe.status !== 0) {
  fail(
    `cannot run ${protoc} (${probe.error?.message ?? probe.stderr.trim()}); install it with ` +
      '"apt-get install protobuf-compiler" or set PROTOC to its path',
  )
}
if (!existsSync(plugin)) fail(`${relative(root, plugin)} is missing; run "npm install" first`)

const files = protoFiles(protoRoot).map((f) => relative(protoRoot, f))
if (files.length === 0) fail(`no .proto files under ${protoRoot}`)

rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })
try {
  execFileSync(
    protoc,
    [
      `--plugin=protoc-gen-ts_proto=${plugin}`,
      `--ts_proto_out=${outDir}`,
      `--ts_proto_opt=${options.join(',')}`,
      `--proto_path=${protoRoot}`,
      ...files,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
} catch (e) {
  fail(`protoc failed on ${files.join(', ')}: ${e.message}`)
}
console.log(`gen-proto: ${files.join(', ')} -> ${relative(root, outDir)}/`)
