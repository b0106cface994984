// Validates a DB's options against its zod schema, with a readable error that names the DB,
// each offending option and (for enums) the allowed values.
import { z } from 'zod'

export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value)
  if (!r.success) throw new Error(`invalid ${what} options:\n${z.prettifyError(r.error)}`)
  return r.data
}
