// Custom Vitest matchers (DESIGN §9): each checker family registers its matchers here.
import { expect } from 'vitest'
import { toBeConsistent } from './elle/matcher.ts'

expect.extend({})

expect.extend({ toBeConsistent })
