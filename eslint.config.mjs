// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '.bench-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['*.js', '*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
  {
    rules: {
      // Domain words are transliterated (æ→ae, ø→oe, å→aa) in identifiers: ASCII only (style.md §9.3).
      'id-match': ['error', '^[A-Za-z_$][A-Za-z0-9_$]*$', { properties: true, onlyDeclarations: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in apps/*/src/config.ts only.' },
      ],
    },
  },
  {
    files: [
      'apps/*/src/config.ts',
      'apps/*/src/main.ts',
      'bench/**',
      'scripts/**',
      'test/**',
      '**/*.spec.ts',
      '**/testing/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests read JSON responses of any shape.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['libs/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/apps/**'], message: 'libs never import apps.' }] }],
    },
  },
  {
    // The domain is pure: no framework, no I/O, no clock, no random ids (design.md §3).
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nestjs/*',
                'kafkajs',
                'pg',
                'better-sqlite3',
                '@kurrent/*',
                '@eventstore/*',
                'node:*',
                'fs',
                'crypto',
                '@hub/event-store',
                '@hub/privacy',
              ],
              message: 'libs/domain is pure.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The clock is an input (DecisionContext.now).',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The clock is an input (DecisionContext.now).',
        },
        { selector: "CallExpression[callee.name='randomUUID']", message: 'Ids are inputs (the command carries them).' },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'No randomness in the domain.',
        },
      ],
    },
  },
);
