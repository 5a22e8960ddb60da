// Finds, parses and validates the config, and resolves the environment a command acts on.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import {
  configSchema,
  environmentSchema,
  type BotConfig,
  type Config,
  type EnvironmentConfig,
  type HooksConfig,
  type SandboxSettings,
} from './schema.js';
import { sandboxEnvironment, SANDBOX, withSandboxSettings } from './sandbox.js';

const regionRule = environmentSchema.shape.region;

export const DEFAULT_CONFIG_FILE = 'ydeploy.config.json';

export interface ResolvedEnvironment extends EnvironmentConfig {
  terraform: EnvironmentConfig['terraform'] & { dir: string };
  name: string;
  project: string;
  sandbox: boolean;
  releaseBucket: string;
  /** The config file it came from, if any. */
  configFile?: string;
  /** The config file's folder (the working directory without one): bot paths are relative to it.
   * Optional so hand-made environments (tests) need not say; readers fall back to the file's folder. */
  configDir?: string;
  /** The team's bot (the config's `bot` section); undefined: the example bot. */
  bot?: BotConfig;
  /** The config's `sandbox` section (how `sandbox up` starts); absent: the defaults. */
  sandboxSettings?: SandboxSettings;
  /** The config's `hooks` (shell commands around the flows); absent: none. */
  hooks?: HooksConfig;
}

export interface LoadOptions {
  config?: string;
  env?: string;
  region?: string;
  profile?: string;
  cwd: string;
  environment: NodeJS.ProcessEnv;
}

export async function loadConfig(
  options: Pick<LoadOptions, 'config' | 'cwd' | 'environment'>,
): Promise<{ config: Config; file?: string }> {
  const explicit = options.config ?? options.environment.YDEPLOY_CONFIG;
  const file = resolve(options.cwd, explicit ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UsageError(`cannot read config ${file}`, (error as Error).message, {
        cause: error,
        fix: "check the file's permissions",
      });
    }
    if (explicit)
      throw new UsageError(`config file ${file} not found`, 'the file does not exist', {
        fix: 'ydeploy init (or fix --config / YDEPLOY_CONFIG)',
      });
    return { config: configSchema.parse({}) };
  }
  return { config: parseConfig(text, file), file };
}

export function parseConfig(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config ${file} is not valid JSON`, (error as Error).message, {
      fix: `fix the syntax in ${file}`,
    });
  }
  const result = configSchema.safeParse(withSandboxDefaults(raw));
  if (!result.success) {
    // A bad record key (an environment name) carries its reason one level down.
    const reason = (issue: (typeof result.error.issues)[number]) =>
      (issue.code === 'invalid_key' && issue.issues[0]?.message) || issue.message;
    const problems = result.error.issues.map(
      (issue) => `${issue.path.length ? `$.${issue.path.join('.')}` : '$'}: ${reason(issue)}`,
    );
    throw new UsageError(
      `config ${file} is invalid`,
      `${problems.length} problem${problems.length === 1 ? '' : 's'}\n  ${problems.join('\n  ')}`,
      {
        fix: `fix ${file} (reference: README.md#configuration)`,
        details: { problems },
      },
    );
  }
  return result.data;
}

/** The built-in sandbox environment a config may adjust: its own keys over the sandbox's. */
function withSandboxDefaults(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const environments = (raw as { environments?: unknown }).environments;
  if (!environments || typeof environments !== 'object' || !Object.hasOwn(environments, SANDBOX)) return raw;
  const sandbox = (environments as Record<string, unknown>)[SANDBOX];
  return { ...raw, environments: { ...environments, [SANDBOX]: withSandboxSettings(sandbox) } };
}

export async function loadEnvironment(options: LoadOptions): Promise<ResolvedEnvironment> {
  const { config, file } = await loadConfig(options);
  const names = Object.keys(config.environments);
  const name =
    options.env ??
    options.environment.YDEPLOY_ENV ??
    config.defaultEnvironment ??
    (names.length === 1 ? names[0] : file ? undefined : SANDBOX);
  if (!name) {
    throw new UsageError('no environment chosen', `${file} defines ${names.join(', ')} and no defaultEnvironment`, {
      fix: `pass --env ${names[0] ?? '<name>'}`,
    });
  }
  // Own keys only: "constructor" or "__proto__" would otherwise find Object.prototype's members.
  const configured = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  const base = configured ?? (name === SANDBOX ? sandboxEnvironment() : undefined);
  if (!base) {
    const known = [...new Set([...names, SANDBOX])].join(', ');
    throw new UsageError(`unknown environment "${name}"`, `known environments: ${known}`, {
      fix: file ? `add it to ${file} or pass one of: --env ${known}` : 'ydeploy init --env ' + name,
    });
  }
  const env = base;
  // --region bypasses the schema, so it is held to the schema's rule here.
  const regionProblem = options.region === undefined ? undefined : regionRule.safeParse(options.region).error;
  if (regionProblem)
    throw new UsageError(`--region ${options.region || '""'} is not an AWS region`, 'expected one such as us-east-1', {
      fix: `pass --region ${env.region}`,
    });
  const baseDir = file ? dirname(file) : options.cwd;
  const terraformDir = env.terraform.dir ? resolve(baseDir, env.terraform.dir) : resolve(PACKAGE_ROOT, 'terraform');
  return {
    ...env,
    region: options.region ?? env.region,
    profile: options.profile ?? env.profile,
    terraform: {
      ...env.terraform,
      dir: terraformDir,
      varFiles: env.terraform.varFiles.map((f) => (isAbsolute(f) ? f : resolve(baseDir, f))),
      cliConfig: env.terraform.cliConfig && resolve(baseDir, env.terraform.cliConfig),
      pluginDir: env.terraform.pluginDir && resolve(baseDir, env.terraform.pluginDir),
    },
    releaseBucket: env.releaseBucket ?? env.stateBucket,
    name,
    project: config.project,
    sandbox: name === SANDBOX,
    configFile: file,
    configDir: baseDir,
    ...(config.bot ? { bot: config.bot } : {}),
    sandboxSettings: config.sandbox,
    hooks: config.hooks,
  };
}
