import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'renderer/dist/',
      'test-results/',
      'release/',
      'bench/results/',
      '.scratch/', // local experiments, not committed
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Svelte components (and .svelte.ts rune modules), their script blocks read as TypeScript.
  // Import boundaries are dependency-cruiser's job (.dependency-cruiser.cjs), not eslint's.
  ...svelte.configs.recommended,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // As typescript-eslint advises for TypeScript: the compiler (svelte-check) knows the
    // browser's globals and reports undefined names; no-undef would only repeat it, wrongly.
    rules: { 'no-undef': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js', 'bench/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
);
