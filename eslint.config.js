// ESLint for the browser client (web/client) and the Node test driver (tests/js): the
// recommended rules; `scripts/check` runs it beside ruff and mypy.
import js from '@eslint/js'
import globals from 'globals'

export default [
  js.configs.recommended,
  {
    files: ['web/client/**/*.js'],
    languageOptions: { globals: globals.browser }
  },
  {
    files: ['tests/**/*.js', 'tests/**/*.mjs'],
    languageOptions: { globals: globals.node }
  },
  { ignores: ['node_modules/', 'web/static/build/', '.venv/'] }
]
