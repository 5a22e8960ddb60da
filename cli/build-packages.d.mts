// Types of cli/build-packages.mjs (a plain module: cli/build.mjs runs without a TypeScript step).
import type { Plugin } from 'esbuild';

export function staysExternal(path: string, importer: string): boolean;
export const SCHEMA_MODULE: RegExp;
export function literalSchemaKeys(source: string): string;
export function bundledPackages(): Plugin[];
