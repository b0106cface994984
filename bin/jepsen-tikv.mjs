#!/usr/bin/env node
// Package bin: loads the TypeScript CLI through tsx (the project ships sources, not a build).
import { register } from 'tsx/esm/api'

register()
await import('../lib/cli/main.ts')
