import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', '.data', 'dist', 'coverage', 'web/dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // domain/ is pure: no I/O, no other layer.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../eventstore/*',
                '../commands/*',
                '../projections/*',
                '../read-api/*',
                '../workers/*',
                '../platform/*',
                '../ops/*',
                '../../*',
              ],
              message: 'domain/ imports nothing outside domain/',
            },
            { group: ['node:fs*', 'node:net', 'node:http*', 'pg', 'express'], message: 'domain/ does no I/O' },
          ],
        },
      ],
    },
  },
  {
    files: ['eventstore/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '../../commands/*',
                '../../projections/*',
                '../../read-api/*',
                '../../workers/*',
                '../../platform/*',
                '../../ops/*',
                '../commands/*',
                '../platform/*',
              ],
              message: 'eventstore/ depends on domain/ types only',
            },
          ],
        },
      ],
    },
  },
);
