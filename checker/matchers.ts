// Custom Vitest matchers (DESIGN §9): each checker family registers its matchers here.
import { expect } from 'vitest'
import { toBeConsistent } from './elle/matcher.ts'
import { toBeLinearizable } from './linearizable/matcher.ts'
import { toBeMonotonic } from './monotonic-matcher.ts'
import { toBeValidSet, toConserveBalances } from './set-bank-matchers.ts'

expect.extend({ toBeConsistent })
expect.extend({ toBeLinearizable })
expect.extend({ toBeValidSet, toConserveBalances })
expect.extend({ toBeMonotonic })
