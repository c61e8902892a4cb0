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
    files: ['scripts/**/*.mjs', 'bin/**/*.js'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    files: ['src/dialects/**', 'test/**', 'bench/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
