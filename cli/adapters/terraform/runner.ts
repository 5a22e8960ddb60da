// The Terraform port over the real binary (execa). Each run:
// - is non-interactive (TF_IN_AUTOMATION, TF_INPUT=0, -input=false) and speaks -json, streamed
//   live into the Reporter (events.ts);
// - keeps its .terraform in a data dir per environment (TF_DATA_DIR), so sandbox and production
//   never share backend settings or providers;
// - installs providers from a mirror when one is configured (air-gapped machines): -plugin-dir on
//   init and a CLI config with a filesystem_mirror, written to the state folder;
// - runs in its own process group, so a terminal Ctrl-C reaches only ydeploy: the first abort
//   sends terraform SIGINT once (it stops gracefully and unlocks the state), the second kills
//   the group, and the group is killed if ydeploy exits while it runs.
//
// The minimum terraform (cli/config/requirements.ts) is checked before the first run.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  ApplyResult,
  PlanResult,
  Reporter,
  Terraform,
  TerraformDiagnostic,
  TerraformRunOptions,
  TerraformVars,
} from '../../ports.js';
import { ExitCode, InterruptedError, UsageError, UserError } from '../../errors.js';
import { applyArgs, destroyArgs, hcl, initArgs, outputArgs, planArgs, validateArgs, versionArgs } from './argv.js';
import { reconfigureKeepsState } from './backend.js';
import { formatDiagnostic, UiStream } from './events.js';
import { compareVersions, MIN_TERRAFORM_VERSION } from '../../config/requirements.js';

const INSTALL = `install terraform >= ${MIN_TERRAFORM_VERSION} (https://developer.hashicorp.com/terraform/install) or set terraform.binary in ydeploy.config.json`;

export interface TerraformRunnerOptions {
  /** The executable: a path or a name on PATH. */
  binary?: string;
  /** The root module. */
  dir: string;
  /** Base environment (AWS credentials and endpoints); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A terraform CLI config file to use (TF_CLI_CONFIG_FILE). */
  cliConfig?: string;
  /** A provider mirror directory. */
  pluginDir?: string;
  reporter: Reporter;
  /** Environment name: picks the data dir. */
  environment?: string;
  /** Where ydeploy keeps terraform's working files; default <dir>/.ydeploy. */
  stateDir?: string;
  /** TF_DATA_DIR; default <stateDir>/<environment>/terraform. */
  dataDir?: string;
  /** Terraform's state lock file (set by init from the backend settings). */
  lockFile?: string;
}

/** Commands that take terraform's state lock while they run. */
const LOCKING = new Set(['plan', 'apply', 'destroy']);

interface RunOptions {
  signal?: AbortSignal;
  killSignal?: AbortSignal;
  /** Exit codes that are not failures (plan -detailed-exitcode: 2). */
  ok?: number[];
  ui?: UiStream;
}

interface RunResult {
  exitCode: number;
  stdout: string;
  seconds: number;
}

export class TerraformRunner implements Terraform {
  readonly binary: string;
  readonly dir: string;
  readonly stateDir: string;
  readonly dataDir: string;
  private readonly reporter: Reporter;
  private readonly options: TerraformRunnerOptions;
  private ready?: Promise<NodeJS.ProcessEnv>;
  private checked?: Promise<string>;

  constructor(options: TerraformRunnerOptions) {
    this.options = options;
    this.binary = options.binary ?? 'terraform';
    this.dir = resolve(options.dir);
    this.reporter = options.reporter;
    this.stateDir = resolve(options.stateDir ?? join(this.dir, '.ydeploy'));
    this.dataDir = resolve(options.dataDir ?? join(this.stateDir, options.environment ?? 'default', 'terraform'));
  }

  withReporter(reporter: Reporter): TerraformRunner {
    return new TerraformRunner({ ...this.options, reporter });
  }

  /** The installed version; a UsageError when terraform is missing or older than the minimum. */
  async version(): Promise<string> {
    this.checked ??= this.readVersion();
    return this.checked;
  }

  async init(
    options: { backendConfig?: Record<string, string>; reconfigure?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    // Where terraform keeps its state lock (<key>.tflock), for the message a killed run leaves.
    if (options.backendConfig?.bucket && options.backendConfig.key)
      this.options.lockFile = `s3://${options.backendConfig.bucket}/${options.backendConfig.key}.tflock`;
    const reconfigure = options.reconfigure || (await reconfigureKeepsState(this.dataDir, options.backendConfig));
    await this.run('init', initArgs({ ...options, reconfigure, pluginDir: this.options.pluginDir }), {
      signal: options.signal,
      ui: new UiStream(this.reporter),
    });
  }

  async validate(): Promise<TerraformDiagnostic[]> {
    const { stdout } = await this.run('validate', validateArgs(), { ok: [0, 1] });
    const parsed = parseJson<{
      diagnostics?: {
        severity: string;
        summary: string;
        detail?: string;
        range?: { filename: string; start: { line: number } };
      }[];
    }>(stdout, 'terraform validate');
    return (parsed.diagnostics ?? []).map((d) => ({
      severity: d.severity === 'error' ? 'error' : 'warning',
      summary: d.summary,
      ...(d.detail ? { detail: d.detail } : {}),
      ...(d.range ? { address: `${d.range.filename}:${d.range.start.line}` } : {}),
    }));
  }

  async plan(options: TerraformRunOptions & { destroy?: boolean } = {}): Promise<PlanResult> {
    const ui = new UiStream(this.reporter);
    const vars = await this.splitVars(options);
    const { exitCode } = await this.run('plan', planArgs({ ...vars, destroy: options.destroy }), {
      ...options,
      ok: [0, 2],
      ui,
    });
    const summary = ui.summary ?? { add: 0, change: 0, remove: 0 };
    return { changed: exitCode === 2, ...summary, changes: ui.changes.filter((c) => c.action !== 'noop') };
  }

  async apply(options: TerraformRunOptions = {}): Promise<ApplyResult> {
    return this.change('apply', applyArgs(await this.splitVars(options)), options);
  }

  async destroy(options: TerraformRunOptions = {}): Promise<ApplyResult> {
    return this.change('destroy', destroyArgs(await this.splitVars(options)), options);
  }

  /** Output values by name (sensitive ones included: callers must not print them). */
  async output(): Promise<Record<string, unknown>> {
    const { stdout } = await this.run('output', outputArgs());
    const outputs = parseJson<Record<string, { value: unknown }>>(stdout || '{}', 'terraform output');
    return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.value]));
  }

  private async change(
    command: 'apply' | 'destroy',
    argv: string[],
    options: TerraformRunOptions,
  ): Promise<ApplyResult> {
    const ui = new UiStream(this.reporter, { run: command });
    const { seconds } = await this.run(command, argv, { ...options, ui });
    ui.finish();
    const summary = ui.summary ?? { add: 0, change: 0, remove: 0 };
    return { ...summary, seconds };
  }

  /** -var cannot say null, so null variables go in a var file of their own, after the others. */
  private async splitVars(options: TerraformRunOptions): Promise<{ varFiles: string[]; vars: TerraformVars }> {
    const vars: TerraformVars = {};
    const nulls: TerraformVars = {};
    for (const [name, value] of Object.entries(options.vars ?? {})) (value === null ? nulls : vars)[name] = value;
    const varFiles = [...(options.varFiles ?? [])];
    if (Object.keys(nulls).length) {
      const file = join(this.dataDir, '..', 'null-vars.tfvars.json');
      await mkdir(join(this.dataDir, '..'), { recursive: true });
      await writeFile(file, `${JSON.stringify(nulls, null, 2)}\n`);
      varFiles.push(file);
    }
    return { varFiles, vars };
  }

  private async run(command: string, argv: string[], options: RunOptions = {}): Promise<RunResult> {
    await this.version();
    const env = await this.environment();
    return this.spawn(command, argv, env, options);
  }

  private async spawn(
    command: string,
    argv: string[],
    env: NodeJS.ProcessEnv,
    options: RunOptions,
  ): Promise<RunResult> {
    const what = `terraform ${command}`;
    if (options.signal?.aborted || options.killSignal?.aborted) throw interrupted(what);
    this.reporter.debug(`${this.binary} ${argv.join(' ')}`, { cwd: this.dir });
    const ui = options.ui;
    const rawLines: string[] = [];
    const started = performance.now();
    const subprocess = execa(this.binary, argv, {
      cwd: this.dir,
      env,
      extendEnv: false,
      detached: true,
      cleanup: false,
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: true,
      maxBuffer: 256 * 1024 * 1024,
      stdout: ui
        ? [
            function* (line: unknown) {
              ui.line(String(line), rawLines);
              yield line;
            },
          ]
        : 'pipe',
    });
    const pid = subprocess.pid;
    let interruptSent = false;
    const onAbort = () => {
      if (interruptSent || pid === undefined) return;
      interruptSent = true;
      this.reporter.debug(`sending SIGINT to terraform (pid ${pid})`);
      signalProcess(pid, 'SIGINT');
    };
    const onKill = () => pid !== undefined && signalProcess(-pid, 'SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    options.killSignal?.addEventListener('abort', onKill, { once: true });
    process.on('exit', onKill);
    try {
      const result = await subprocess;
      const seconds = (performance.now() - started) / 1000;
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') throw missing(this.binary);
      if (code === 'EACCES')
        throw new UsageError(`cannot run terraform "${this.binary}"`, 'the file is not executable', { fix: INSTALL });
      const exitCode = result.exitCode ?? -1;
      const accepted = (options.ok ?? [0]).includes(exitCode);
      if (interruptSent || options.killSignal?.aborted) {
        if (accepted) return { exitCode, stdout: String(result.stdout ?? ''), seconds };
        ui?.close('interrupted');
        // SIGINT lets terraform unlock its state; SIGKILL does not.
        if (options.killSignal?.aborted && LOCKING.has(command))
          this.reporter.warn(killedHoldingLock(what, this.where(), this.options.lockFile));
        throw interrupted(what);
      }
      if (!accepted) {
        ui?.close('terraform failed');
        const raw = [...rawLines, String(result.stderr ?? '')].join('\n');
        throw failed(what, exitCode, ui?.errors ?? [], raw, this.where());
      }
      return { exitCode, stdout: String(result.stdout ?? ''), seconds };
    } finally {
      // Terraform is gone; whatever it started and left behind (a provisioner's grandchild, a
      // provider plugin) is still in its process group.
      if (pid !== undefined) signalProcess(-pid, 'SIGKILL');
      options.signal?.removeEventListener('abort', onAbort);
      options.killSignal?.removeEventListener('abort', onKill);
      process.off('exit', onKill);
    }
  }

  /** How to run terraform by hand against the same working files. */
  private where(): TerraformWhere {
    return { binary: this.binary, dir: this.dir, dataDir: this.dataDir, environment: this.options.environment };
  }

  private async readVersion(): Promise<string> {
    const env = await this.environment();
    const { stdout } = await this.spawn('version', versionArgs(), env, {});
    const version = parseJson<{ terraform_version?: string }>(stdout, 'terraform version').terraform_version;
    if (!version)
      throw new UserError(
        'cannot tell which terraform this is',
        `"${this.binary} version -json" gave no terraform_version`,
        { fix: INSTALL },
      );
    if (compareVersions(version, MIN_TERRAFORM_VERSION) < 0) {
      throw new UsageError(
        `terraform ${version} is too old`,
        `ydeploy needs terraform >= ${MIN_TERRAFORM_VERSION} (the S3 backend's use_lockfile)`,
        { fix: INSTALL },
      );
    }
    return version;
  }

  /** The process environment of every run, with the data dir and CLI config prepared once. */
  private environment(): Promise<NodeJS.ProcessEnv> {
    this.ready ??= this.prepare();
    return this.ready;
  }

  private async prepare(): Promise<NodeJS.ProcessEnv> {
    const env: NodeJS.ProcessEnv = {
      ...(this.options.env ?? process.env),
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_DATA_DIR: this.dataDir,
    };
    // No calls home to checkpoint-api.hashicorp.com (air-gapped machines, the sandbox).
    env.CHECKPOINT_DISABLE ??= '1';
    await mkdir(this.dataDir, { recursive: true });
    if (this.options.cliConfig) {
      const file = resolve(this.options.cliConfig);
      if (!existsSync(file))
        throw new UsageError(`terraform CLI config ${file} not found`, 'the file does not exist', {
          fix: 'fix terraform.cliConfig in ydeploy.config.json',
        });
      env.TF_CLI_CONFIG_FILE = file;
    } else if (this.options.pluginDir) {
      env.TF_CLI_CONFIG_FILE = await this.writeMirrorConfig(resolve(this.options.pluginDir));
    } else if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) {
      // Terraform warns on every run about a config file that is not there; it would use none anyway.
      this.reporter.debug(`ignoring TF_CLI_CONFIG_FILE=${env.TF_CLI_CONFIG_FILE}: the file does not exist`);
      delete env.TF_CLI_CONFIG_FILE;
    }
    return env;
  }

  private async writeMirrorConfig(pluginDir: string): Promise<string> {
    if (!existsSync(pluginDir)) {
      throw new UsageError(`terraform plugin directory ${pluginDir} not found`, 'the provider mirror does not exist', {
        fix: 'fix terraform.pluginDir in ydeploy.config.json',
      });
    }
    const file = join(this.stateDir, 'terraform.rc');
    await mkdir(this.stateDir, { recursive: true });
    const text = [
      '# Written by ydeploy: providers come only from this mirror (terraform.pluginDir).',
      'disable_checkpoint = true',
      'provider_installation {',
      '  filesystem_mirror {',
      `    path = ${hcl(pluginDir)}`,
      '  }',
      '}',
      '',
    ].join('\n');
    await writeFile(file, text);
    return file;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function missing(binary: string): UsageError {
  return new UsageError(`terraform not found`, `"${binary}" is not an executable on PATH`, { fix: INSTALL });
}

function interrupted(what: string): InterruptedError {
  return new InterruptedError(`${what} was stopped`, { fix: 'rerun the same command with --resume' });
}

/** Where terraform runs: enough to give the exact command to run by hand. */
export interface TerraformWhere {
  binary: string;
  dir: string;
  dataDir: string;
  environment?: string;
}

/**
 * The lock id of terraform's "Error acquiring the state lock" (its "Lock Info: ID: ..." block),
 * or undefined when the text is another error.
 */
export function stateLockId(text: string): string | undefined {
  if (!/Error acquiring the state lock/i.test(text)) return undefined;
  return /Lock Info:[\s\S]*?\bID:\s*([^\s]+)/.exec(text)?.[1];
}

/** `terraform force-unlock <id>` as run by hand: from the module folder, with ydeploy's data dir. */
export function forceUnlockCommand(id: string, where: TerraformWhere): string {
  // The placeholder of a message that cannot know the id stays as it is, for the reader to replace.
  const lock = id === LOCK_ID_PLACEHOLDER ? id : quote(id);
  return `cd ${quote(where.dir)} && TF_DATA_DIR=${quote(where.dataDir)} ${quote(where.binary)} force-unlock ${lock}`;
}

const LOCK_ID_PLACEHOLDER = '<LOCK_ID>';

export function killedHoldingLock(what: string, where: TerraformWhere, lockFile: string | undefined): string {
  const status = `ydeploy lock status${where.environment ? ` --env ${where.environment}` : ''}`;
  return (
    `${what} was killed and may have left terraform's state lock: if the next run reports "Error acquiring the state lock" ` +
    `and no other deployment runs (${status}), ydeploy prints the exact command, or clear it by hand: ` +
    `${forceUnlockCommand(LOCK_ID_PLACEHOLDER, where)} (LOCK_ID: the "ID" in ${lockFile ?? "the state's .tflock object in the state bucket"})`
  );
}

function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function failed(
  what: string,
  exitCode: number,
  errors: TerraformDiagnostic[],
  raw: string,
  where: TerraformWhere,
): UserError {
  const lockId = stateLockId([...errors.map(formatDiagnostic), raw].join('\n'));
  if (lockId) {
    const status = `ydeploy lock status${where.environment ? ` --env ${where.environment}` : ''}`;
    return new UserError(`${what} failed`, `terraform's state lock is held (lock ID ${lockId})`, {
      code: ExitCode.locked,
      fix: `if no other deployment or terraform run is going (${status}), a killed terraform left it: ${forceUnlockCommand(lockId, where)}`,
      details: { exitCode, lockId },
    });
  }
  const indent = (text: string) => text.replace(/\n/g, '\n    ');
  const why =
    errors.length === 0
      ? lastLines(raw) || `exited with code ${exitCode}`
      : errors.length === 1
        ? formatDiagnostic(errors[0])
        : `${errors.length} errors${errors.map((d) => `\n  - ${indent(formatDiagnostic(d))}`).join('')}`;
  return new UserError(`${what} failed`, why, {
    fix: 'fix what terraform reports above, then run the command again',
    details: { exitCode },
  });
}

function lastLines(text: string, count = 20): string {
  return text.trim().split('\n').slice(-count).join('\n').trim();
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new UserError(`${what} gave unreadable output`, (error as Error).message, { cause: error, fix: INSTALL });
  }
}
