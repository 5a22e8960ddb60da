// The Terraform port for one resolved environment. Working files live in the project's
// `.ydeploy/<env>/` (the sandbox's in its own folder, so `sandbox down --purge` takes them too).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedEnvironment } from '../../config/load.js';
import { DEFAULT_PLUGIN_DIR } from '../../config/sandbox.js';
import type { Reporter, Terraform } from '../../ports.js';
import { sandboxDir, sandboxFiles } from '../../sandbox/layout.js';
import { TerraformRunner } from './runner.js';

export { TerraformRunner, MIN_TERRAFORM_VERSION } from './runner.js';

export interface CreateTerraformOptions {
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function createTerraform(environment: ResolvedEnvironment, options: CreateTerraformOptions): Terraform {
  const { terraform } = environment;
  const stateDir = environment.sandbox ? sandboxDir(options.cwd, options.env) : resolve(options.cwd, '.ydeploy', environment.name);
  return new TerraformRunner({
    binary: terraform.binary,
    dir: terraform.dir,
    env: options.env,
    cliConfig: terraform.cliConfig,
    pluginDir: terraform.cliConfig ? undefined : pluginDirFor(environment, options.env),
    reporter: options.reporter,
    environment: environment.name,
    stateDir,
    dataDir: environment.sandbox ? sandboxFiles(stateDir).terraformData : join(stateDir, 'terraform'),
  });
}

/** The configured mirror; the sandbox (never online) falls back to this machine's mirror. */
function pluginDirFor(environment: ResolvedEnvironment, env: NodeJS.ProcessEnv): string | undefined {
  if (environment.terraform.pluginDir) return environment.terraform.pluginDir;
  if (env.YDEPLOY_TF_PLUGIN_DIR) return env.YDEPLOY_TF_PLUGIN_DIR;
  return environment.sandbox && existsSync(DEFAULT_PLUGIN_DIR) ? DEFAULT_PLUGIN_DIR : undefined;
}
