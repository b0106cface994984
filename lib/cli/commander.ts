// commander, loaded with require: it is a CommonJS package, and importing CommonJS from ESM makes
// Node 20 start its CommonJS export lexer first, which costs more than commander itself (about
// 30-80 ms of a small history's whole `analyze` run on a busy 2-core machine). Every CLI module
// takes commander from here.
import { createRequire } from 'node:module'

type Commander = typeof import('commander')

export const { Command, CommanderError, InvalidArgumentError, Option } = createRequire(import.meta.url)(
  'commander',
) as Commander
export type Command = import('commander').Command
export type Option = import('commander').Option
