// Replaced at build time by esbuild's `define`; read from package.json when running from source.
import { createRequire } from 'node:module';

declare const __YDEPLOY_VERSION__: string | undefined;

export const VERSION: string =
  typeof __YDEPLOY_VERSION__ === 'string'
    ? __YDEPLOY_VERSION__
    : (createRequire(import.meta.url)('../package.json') as { version: string }).version;
