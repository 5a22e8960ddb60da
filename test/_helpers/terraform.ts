// The bundled terraform module (terraform/) run for real in tests: each test file works on its
// own copy of the module, the provider comes from the mirror (-plugin-dir), the CLI config is an
// empty file (no warning about a missing ~/.terraformrc), and each stack has its own data dir
// and S3 backend key in moto.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { pluginDir, requireTool } from './tools.js';

export const MODULE_DIR = resolve(import.meta.dirname, '..', '..', 'terraform');

export interface TerraformRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

export type Vars = Record<string, unknown>;

export interface PlannedResourceChange {
  address: string;
  actions: string[];
}

/** A private copy of the module plus the files terraform needs around it. */
export class ModuleCopy {
  private constructor(
    readonly root: string,
    readonly dir: string,
    private readonly cliConfig: string,
  ) {}

  /** `localBackend`: replace the S3 backend with a local one (for console/validate-only use). */
  static async create(options: { localBackend?: boolean } = {}): Promise<ModuleCopy> {
    requireTool('terraform');
    const root = await mkdtemp(join(tmpdir(), 'ydeploy-tf-'));
    const dir = join(root, 'module');
    await cp(MODULE_DIR, dir, {
      recursive: true,
      filter: (src) => !/[/\\](\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate.*)$/.test(src),
    });
    if (options.localBackend)
      await writeFile(join(dir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
    const cliConfig = join(root, 'terraformrc');
    await writeFile(cliConfig, '');
    return new ModuleCopy(root, dir, cliConfig);
  }

  env(extra: Record<string, string> = {}, dataDir?: string): Record<string, string> {
    return {
      TF_CLI_CONFIG_FILE: this.cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      ...(dataDir ? { TF_DATA_DIR: dataDir } : {}),
      ...extra,
    };
  }

  async run(
    args: string[],
    options: { env?: Record<string, string>; dataDir?: string; input?: string } = {},
  ): Promise<TerraformRun> {
    const started = performance.now();
    const result = await execa('terraform', args, {
      cwd: this.dir,
      env: this.env(options.env, options.dataDir),
      input: options.input,
      reject: false,
      all: false,
    });
    return {
      exitCode: result.exitCode ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** Runs terraform and throws with its output when it fails. */
  async must(
    args: string[],
    options: { env?: Record<string, string>; dataDir?: string; input?: string } = {},
  ): Promise<TerraformRun> {
    const run = await this.run(args, options);
    if (run.exitCode !== 0)
      throw new Error(`terraform ${args[0]} failed (exit ${run.exitCode}):\n${run.stderr}\n${run.stdout.slice(-4000)}`);
    return run;
  }

  async writeVars(name: string, vars: Vars): Promise<string> {
    const file = join(this.root, `${name}.tfvars.json`);
    await writeFile(file, JSON.stringify(vars, null, 2));
    return file;
  }

  /** One state (one environment) of the module, in its own data dir and backend key. */
  stack(name: string, awsEnv: Record<string, string>): Stack {
    return new Stack(this, name, join(this.root, `data-${name}`), awsEnv);
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/** The parts of `terraform show -json <plan>` the tests read. */
export interface PlanJson {
  resource_changes?: {
    address: string;
    type: string;
    change: { actions: string[]; after: Record<string, unknown> | null };
  }[];
  planned_values?: {
    root_module: { resources?: { address: string; type: string; values: Record<string, unknown> }[] };
  };
}

export class Stack {
  private applies = 0;

  constructor(
    private readonly module: ModuleCopy,
    readonly name: string,
    readonly dataDir: string,
    private readonly awsEnv: Record<string, string>,
  ) {}

  private opts() {
    return { env: this.awsEnv, dataDir: this.dataDir };
  }

  /** init against the S3 backend in moto, with the native lock file, exactly as ydeploy runs it. */
  async init(backend: { bucket: string; key: string; region: string }): Promise<TerraformRun> {
    return this.module.must(
      [
        'init',
        '-input=false',
        '-no-color',
        `-plugin-dir=${pluginDir()}`,
        `-backend-config=bucket=${backend.bucket}`,
        `-backend-config=key=${backend.key}`,
        `-backend-config=region=${backend.region}`,
        '-backend-config=use_lockfile=true',
        '-backend-config=use_path_style=true',
      ],
      this.opts(),
    );
  }

  async apply(vars: Vars): Promise<TerraformRun> {
    const file = await this.module.writeVars(`${this.name}-${++this.applies}`, vars);
    return this.module.must(['apply', '-auto-approve', '-input=false', '-no-color', `-var-file=${file}`], this.opts());
  }

  /** Plans, returns every resource change and the plan (`show -json`), and keeps the plan file for applyPlan. */
  async plan(
    vars: Vars,
  ): Promise<{ planFile: string; changes: PlannedResourceChange[]; run: TerraformRun; json: PlanJson }> {
    const file = await this.module.writeVars(`${this.name}-${++this.applies}`, vars);
    const planFile = join(this.module.root, `${this.name}-${this.applies}.tfplan`);
    const run = await this.module.must(
      ['plan', '-input=false', '-no-color', `-var-file=${file}`, `-out=${planFile}`],
      this.opts(),
    );
    const shown = await this.module.must(['show', '-json', '-no-color', planFile], this.opts());
    const plan = JSON.parse(shown.stdout) as PlanJson;
    const changes = (plan.resource_changes ?? []).map((c) => ({ address: c.address, actions: c.change.actions }));
    return { planFile, changes, run, json: plan };
  }

  async applyPlan(planFile: string): Promise<TerraformRun> {
    return this.module.must(['apply', '-input=false', '-no-color', planFile], this.opts());
  }

  /** `plan -detailed-exitcode`: 0 when nothing would change. */
  async planExitCode(vars: Vars): Promise<TerraformRun> {
    const file = await this.module.writeVars(`${this.name}-${++this.applies}`, vars);
    return this.module.run(
      ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-var-file=${file}`],
      this.opts(),
    );
  }

  async outputs(): Promise<Record<string, unknown>> {
    const run = await this.module.must(['output', '-json', '-no-color'], this.opts());
    const parsed = JSON.parse(run.stdout) as Record<string, { value: unknown }>;
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
  }
}

/** A command the module's checks need (Debian packages: shellcheck, systemd), or a clear failure. */
export async function requireCommand(name: string, install: string): Promise<void> {
  const found = await execa('sh', ['-c', `command -v ${name}`], { reject: false });
  if (found.exitCode !== 0) throw new Error(`${name} is required by this test but was not found on PATH (${install})`);
}

/** The files user data writes with install_file, by path: the units, the launcher, configs. */
export function userDataFiles(userData: string): Map<string, { mode: string; content: string }> {
  const files = new Map<string, { mode: string; content: string }>();
  for (const m of userData.matchAll(/^install_file (\S+) (\d+) <<'YDEPLOY_EOF'\n([\s\S]*?)\nYDEPLOY_EOF$/gm)) {
    files.set(m[1]!, { mode: m[2]!, content: m[3]! + '\n' });
  }
  return files;
}
