// Terraform command lines as pure functions: no I/O, tested by exact equality.
// Every command runs non-interactively (-input=false) and, where terraform offers it, with the
// machine-readable UI (-json), which events.ts turns into Reporter events.
import type { TerraformValue, TerraformVars } from '../../ports.js';

export interface VarOptions {
  /** Applied in order; later files win. */
  varFiles?: string[];
  /** Applied after the files, so they win over them. */
  vars?: TerraformVars;
}

export interface InitArgs {
  backendConfig?: Record<string, string>;
  pluginDir?: string;
  reconfigure?: boolean;
}

export function initArgs(options: InitArgs = {}): string[] {
  const argv = ['init', '-input=false', '-no-color', '-json'];
  for (const [key, value] of Object.entries(options.backendConfig ?? {})) argv.push(`-backend-config=${key}=${value}`);
  if (options.pluginDir) argv.push(`-plugin-dir=${options.pluginDir}`);
  if (options.reconfigure) argv.push('-reconfigure');
  return argv;
}

export interface PlanArgs extends VarOptions {
  destroy?: boolean;
  /** Save the plan to this file (apply it later with applyArgs({ planFile })). */
  out?: string;
}

/** -detailed-exitcode: 0 no changes, 1 error, 2 changes. */
export function planArgs(options: PlanArgs = {}): string[] {
  const argv = ['plan', '-input=false', '-no-color', '-json', '-detailed-exitcode'];
  if (options.destroy) argv.push('-destroy');
  if (options.out) argv.push(`-out=${options.out}`);
  return [...argv, ...varArgs(options)];
}

export interface ApplyArgs extends VarOptions {
  /** Apply a saved plan: variables were fixed when it was made, so none are passed. */
  planFile?: string;
}

export function applyArgs(options: ApplyArgs = {}): string[] {
  const argv = ['apply', '-input=false', '-no-color', '-json', '-auto-approve'];
  if (options.planFile) return [...argv, options.planFile];
  return [...argv, ...varArgs(options)];
}

export function destroyArgs(options: VarOptions = {}): string[] {
  return ['destroy', '-input=false', '-no-color', '-json', '-auto-approve', ...varArgs(options)];
}

export function outputArgs(name?: string): string[] {
  return name ? ['output', '-no-color', '-json', name] : ['output', '-no-color', '-json'];
}

export function validateArgs(): string[] {
  return ['validate', '-no-color', '-json'];
}

export function versionArgs(): string[] {
  return ['version', '-json'];
}

export function varArgs(options: VarOptions): string[] {
  const argv: string[] = [];
  for (const file of options.varFiles ?? []) argv.push(`-var-file=${file}`);
  for (const [name, value] of Object.entries(options.vars ?? {})) argv.push('-var', `${name}=${encodeVar(value)}`);
  return argv;
}

/**
 * The text after `name=` in `-var`. Terraform takes a string variable's value literally and parses
 * any other type as an HCL expression, so strings go raw and everything else as HCL.
 * A top-level null cannot be said with -var (a string variable would get "null"): pass it in a
 * var file instead (the runner does).
 */
export function encodeVar(value: TerraformValue): string {
  if (value === null) throw new TypeError('a null variable cannot be passed with -var; put it in a -var-file');
  return typeof value === 'string' ? value : hcl(value);
}

/** An HCL expression for a JSON-like value; strings escaped so `${` and `%{` stay literal. */
export function hcl(value: TerraformValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not a number terraform can take`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(hcl).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${hclString(key)} = ${hcl(item)}`)
    .join(', ')}}`;
}

function hclString(text: string): string {
  // HCL knows \n \r \t \" \\ and \uNNNN; everything else below 0x20 goes as \uNNNN.
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  const escaped = text.replace(/[\\"\u0000-\u001f]/g, (char) => {
    switch (char) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return `"${escaped.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')}"`;
}
