// Lint: a few rules that catch real mistakes, nothing about layout (Prettier owns that).
// Type-aware: the promise rules need the TypeScript program (tsconfig.json), so every file
// is parsed through the project service; files outside tsconfig.json get a default project.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/.ydeploy/', '**/.terraform/', 'test/fixtures/'] },
  {
    files: ['**/*.{ts,js,mjs}'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.ts', 'bin/*.js', 'cli/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection: an unhandled error, or work cut off at exit.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a condition or spread expects a value; async callbacks are allowed
      // (event handlers and timers catch their own errors).
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Type-only imports vanish from the build: they never load a module (cold start).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // A control character in a regular expression is almost always a typo; say so where it is meant.
      'no-control-regex': 'error',
    },
  },
  {
    // The product writes through the Reporter and the logger only (STYLE.md); tests may print.
    files: ['cli/**', 'bot/**', 'bin/**'],
    ignores: ['cli/output/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Plain JavaScript has no type imports.
    files: ['**/*.{js,mjs}'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
