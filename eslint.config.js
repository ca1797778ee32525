import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'test-results/',
      'public/data/',
      'coverage/',
      // AssemblyScript, not TypeScript (decorated functions, v128): its compiler checks it
      'assembly/',
      // written by `npm run build:wasm`
      'src/engine/generated/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // The numeric layers are seeded: Math.random would break reproducibility.
    files: ['src/engine/**', 'src/data/**', 'src/experiments/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use the seeded Rng (src/engine/rng.ts).' },
        // Implementation-approximated: they differ between Node's and Chromium's V8 in the last bit.
        ...[
          'exp',
          'expm1',
          'log',
          'log1p',
          'log2',
          'log10',
          'sin',
          'cos',
          'tan',
          'tanh',
          'sinh',
          'cosh',
          'pow',
          'atan',
          'atan2',
          'asin',
          'acos',
          'cbrt',
          'hypot',
        ].map((property) => ({
          object: 'Math',
          property,
          message: 'Use the deterministic version in src/engine/math.ts (or add it there).',
        })),
      ],
    },
  },
);
