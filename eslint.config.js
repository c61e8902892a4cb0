import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'bench/.out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Dialect names belong inside src/dialects/: callers ask for a capability instead.
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator='==='][right.value=/^(postgres|mysql|sqlite)$/]",
          message: 'Branch on a capability, not on a dialect name.',
        },
      ],
    },
  },
  {
    // Methods and dialects get bytes and rows handed to them (load.ts wires the sources in).
    files: ['src/methods/**', 'src/dialects/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/sources/*'], message: 'Methods and dialects do not open or parse sources.' },
          ],
        },
      ],
    },
  },
  {
    // One owner of transaction boundaries: methods/transaction.ts.
    files: ['src/**/*.ts'],
    ignores: ['src/methods/transaction.ts', 'src/dialects/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['begin', 'commit', 'rollback', 'savepoint', 'releaseSavepoint', 'rollbackToSavepoint'].map(
          (property) => ({
            object: 'session',
            property,
            message: 'BEGIN, COMMIT and savepoints belong to LoadTransaction (src/methods/transaction.ts).',
          }),
        ),
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    files: ['src/dialects/**', 'test/**', 'bench/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
