#!/usr/bin/env bash
# The package as a user gets it (DESIGN §11): `npm pack`, install the tarball into a scratch
# project outside the repository, and there (a) a Vitest test file with setupFiles
# 'jepsen-tikv/vitest' checks a saved history, valid and invalid, plus "unknown" failing both
# ways, and type-checks against the matchers' declared types; (b) the same with Jest
# (setupFilesAfterEnv 'jepsen-tikv/jest', installed from npm here); (c) `npx jepsen-tikv
# analyze` on Porcupine logs, exit codes 0 and 1, and 3 with commander's message for a bad
# option value. Any failure exits non-zero. Called by .ci/run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d /tmp/jepsen-tikv-smoke.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
start=$(date +%s)
say() { echo "package-smoke: $*"; }

say "npm pack (builds dist/)"; t=$(date +%s)
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$scratch" | tail -1)"
version() { node -p "require('$repo/node_modules/$1/package.json').version"; }

say "packed in $(($(date +%s) - t)) s"; cd "$scratch"
cat > package.json <<JSON
{ "name": "smoke", "private": true, "type": "module" }
JSON
t=$(date +%s); say "installing $tarball, vitest $(version vitest), typescript $(version typescript), jest 30"
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "./$tarball" "vitest@$(version vitest)" "typescript@$(version typescript)" "@types/node@$(version @types/node)" \
  jest@^30 @jest/globals@^30 >/dev/null
say "installed in $(($(date +%s) - t)) s"
cp "$repo/testdata/porcupine/test_data/jepsen/etcd_002.log" valid.log
cp "$repo/testdata/porcupine/test_data/jepsen/etcd_000.log" invalid.log

# (a) Vitest
cat > vitest.config.ts <<'TS'
import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { setupFiles: ['jepsen-tikv/vitest'], include: ['*.vitest.ts'] } })
TS
# The same assertions under Vitest and Jest: a valid and an invalid saved history, .not, the
# message, and "unknown" failing both ways.
assertions() {
  cat <<'JS'
test('a saved valid history is linearizable', async () => {
  await expect(readHistory('valid.log')).toBeLinearizable({ model: 'cas-register' })
})
test('a saved invalid history is not, and the message explains why and names the file', async () => {
  await expect('invalid.log').not.toBeLinearizable()
  await expect(expect('invalid.log').toBeLinearizable()).rejects.toThrow(/cannot be linearized[\s\S]*history: invalid.log/)
})
test('"unknown" fails with and without .not', async () => {
  await expect(expect('valid.log').toBeLinearizable({ timeLimit: 1e-6 })).rejects.toThrow(/could not decide/)
  await expect(expect('valid.log').not.toBeLinearizable({ timeLimit: 1e-6 })).rejects.toThrow(/could not decide/)
})
JS
}
{ echo "import { readHistory } from 'jepsen-tikv'"; echo "import { expect, test } from 'vitest'"; assertions; } >history.vitest.ts
# One type-checked project per runner, as a user has: Vitest's and Jest's global matcher types
# are not meant to meet in one program.
tsconfig() {
  cat <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
  "strict": true, "noEmit": true, "types": ["node", "jepsen-tikv/$1"] }, "include": ["*.$1.ts"] }
JSON
}
tsconfig vitest >tsconfig.json
tsconfig jest >tsconfig.jest.json
say "(a) vitest"
npx vitest run
say "(a, b) tsc: the matchers' types for Vitest and Jest (a misspelt matcher must not compile)"
echo "import { expect } from 'vitest'; expect([]).toBeLinearisable()" > misspelt.vitest.ts
if npx tsc --noEmit -p tsconfig.json >/dev/null 2>&1; then say "tsc accepted toBeLinearisable"; exit 1; fi
rm misspelt.vitest.ts
cat > types.jest.ts <<'TS'
import { expect } from '@jest/globals'
export const check = () => expect('valid.log').not.toBeLinearizable({ model: 'register' })
TS
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p tsconfig.jest.json

# (b) Jest (ESM: Node's VM modules)
cat > jest.config.json <<'JSON'
{ "testEnvironment": "node", "transform": {}, "testMatch": ["**/*.jest.mjs"], "setupFilesAfterEnv": ["jepsen-tikv/jest"] }
JSON
{ echo "import { expect, test } from '@jest/globals'"; echo "import { readHistory } from 'jepsen-tikv'"; assertions; } >history.jest.mjs
say "(b) jest"
NODE_OPTIONS=--experimental-vm-modules npx jest --ci 2>&1

# (c) the CLI
say "(c) npx jepsen-tikv analyze"
npx jepsen-tikv analyze valid.log
# expect_exit CODE TEXT CMD...: CMD must exit CODE with TEXT in its output ('' for any).
expect_exit() {
  local want=$1 text=$2 out code
  shift 2
  set +e
  out="$("$@" 2>&1)"
  code=$?
  set -e
  if [ "$code" != "$want" ] || ! grep -q -- "$text" <<<"$out"; then
    say "$* exited $code, expected $want${text:+ saying \"$text\"}: $out"
    exit 1
  fi
}
expect_exit 1 '' npx jepsen-tikv analyze invalid.log
# A bad value leaves the bundled CLI's quick argument reading for commander (exit 3, its message).
expect_exit 3 'Allowed choices are linearizable' npx jepsen-tikv analyze --checker knossos valid.log
# `test` runs a clone's workloads; from an installed package it says so (exit 3).
expect_exit 3 'runs a clone of the jepsen-tikv repository' npx jepsen-tikv test
say "passed in $(($(date +%s) - start)) s"
