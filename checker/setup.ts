// Vitest setup file for both projects: registers the project's custom matchers once.
import './matchers.ts'
