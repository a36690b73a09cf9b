// The lint gate: typescript-eslint's recommended rules, no import cycles, and the layering of ARCHITECTURE.md
// (a module imports only from its own layer or the layers below it; machines/ imports xstate only).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/** Top to bottom. Each entry: the layer's name and the files in it. */
const LAYERS = [
  ['entry', ['src/cli.ts', 'src/cli-args.ts', 'src/check-command.ts']],
  ['wiring', ['src/main.ts', 'src/wiring.ts']],
  ['server', ['src/server/**']],
  ['management', ['src/management/**']],
  ['router', ['src/router/**']],
  [
    'backends, catalog, routing, observability',
    ['src/backends/**', 'src/catalog/**', 'src/routing/**', 'src/observability/**'],
  ],
  ['protocol and logging', ['src/protocol/**', 'src/logging/**']],
  [
    'foundation',
    [
      'src/config/**',
      'src/errors.ts',
      'src/cancellation.ts',
      'src/clock.ts',
      'src/version.ts',
      'src/deferred-module.ts',
    ],
  ],
  ['machines', ['machines/**']],
];

// One zone per (layer, pattern above it): the rule wants each zone's `from` all globs or all plain paths.
const layeringZones = LAYERS.flatMap(([name, files], index) =>
  LAYERS.slice(0, index).flatMap(([above, aboveFiles]) =>
    aboveFiles.map((from) => ({
      target: files,
      from,
      message: `the ${name} layer must not import from the ${above} layer above it (ARCHITECTURE.md)`,
    })),
  ),
);

export default tseslint.config(
  {
    ignores: [
      'jest.config.js',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/node_modules/**',
      'tests/conformance/node_modules/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.js'] } },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // A closure that reads the variable may be defined before its one assignment (a stop handler, say).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'machines/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layeringZones }],
      'no-console': 'error',
    },
  },
  {
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!xstate(/|$)|\\./)',
              message: 'machines/ stays pure: xstate and its own files only',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests and the bench read JSON answers whose shape they then assert.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
