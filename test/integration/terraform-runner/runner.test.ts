// The terraform runner against the real binary, on terraform_data-only fixtures.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { TerraformRunner } from '../../../cli/adapters/terraform/runner.js';
import { ExitCode, InterruptedError, UsageError, UserError } from '../../../cli/errors.js';
import { reportError } from '../../../cli/output/errors.js';
import { requireTool } from '../../_helpers/tools.js';
import { RecordingReporter } from '../../unit/adapters/terraform/recorder.js';
import { copyFixture, processesIn, removeDir } from './helpers.js';

requireTool('terraform');

let dir: string | undefined;
afterEach(() => {
  removeDir(dir);
  dir = undefined;
});

function runner(fixture: string, reporter = new RecordingReporter(), binary?: string) {
  dir = copyFixture(fixture);
  // This machine's TF_CLI_CONFIG_FILE points at a missing file: the runner must not pass that on.
  const terraform = new TerraformRunner({
    dir,
    reporter,
    environment: 'test',
    binary,
    env: { ...process.env, TF_CLI_CONFIG_FILE: '/nonexistent/terraformrc' },
  });
  return { terraform, reporter, dir };
}

describe('a terraform_data module', () => {
  it('initialises, applies, reads outputs, plans no changes after, and destroys', async () => {
    const { terraform, reporter, dir } = runner('basic');
    expect(await terraform.version()).toMatch(/^1\.\d+\.\d+/);
    await terraform.init();
    expect(await terraform.validate()).toEqual([]);

    const vars = {
      name: 'first',
      ports: [80, 443],
      tags: { team: 'bots', literal: '${not.a.reference}' },
      candidate: null,
    };
    const plan = await terraform.plan({ vars });
    expect(plan).toMatchObject({ changed: true, add: 2, change: 0, remove: 0 });
    expect(plan.changes.map((c) => c.address).sort()).toEqual(['terraform_data.named', 'terraform_data.shape']);

    const applied = await terraform.apply({ vars });
    expect(applied).toMatchObject({ add: 2, change: 0, remove: 0 });
    expect(applied.seconds).toBeGreaterThan(0);
    // Each resource is a step nested in the apply's own, which ends with the apply's summary.
    expect(reporter.of('succeed').sort()).toEqual([
      'create terraform_data.named',
      'create terraform_data.shape',
      'terraform apply',
    ]);
    expect(reporter.records.find((r) => r.kind === 'succeed' && r.text === 'terraform apply')?.fields).toEqual({
      detail: '2 resources (2 added)',
    });

    expect(await terraform.output()).toEqual({
      name: 'first',
      shape: { ports: [80, 443], tags: { team: 'bots', literal: '${not.a.reference}' } },
      candidate: 'unset',
    });
    expect(await terraform.plan({ vars })).toEqual({ changed: false, add: 0, change: 0, remove: 0, changes: [] });

    const changed = await terraform.plan({ vars: { ...vars, name: 'second' } });
    expect(changed).toMatchObject({ changed: true, add: 0, change: 1, remove: 0 });
    expect(changed.changes).toEqual([{ address: 'terraform_data.named', action: 'update' }]);

    expect(await terraform.destroy({ vars })).toMatchObject({ add: 0, change: 0, remove: 2 });
    expect(await terraform.output()).toEqual({});

    // .terraform lives in the per-environment data dir, never beside the module.
    expect(existsSync(join(dir, '.ydeploy', 'test', 'terraform'))).toBe(true);
    expect(existsSync(join(dir, '.terraform'))).toBe(false);
    expect(reporter.of('warn').join('\n')).not.toMatch(/CLI configuration/);
  });

  it('passes var files before vars, so vars win', async () => {
    const { terraform, dir } = runner('basic');
    writeFileSync(join(dir, 'base.tfvars.json'), JSON.stringify({ name: 'from-file', candidate: 'from-file' }));
    await terraform.init();
    await terraform.apply({ varFiles: [join(dir, 'base.tfvars.json')], vars: { name: 'from-flag' } });
    expect(await terraform.output()).toMatchObject({ name: 'from-flag', candidate: 'from-file' });
  });
});

describe('when terraform fails', () => {
  it("shows terraform's diagnostics in the error, with where they come from", async () => {
    const { terraform } = runner('broken');
    await terraform.init();
    const error = await terraform.plan().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe(ExitCode.failed);
    expect((error as UserError).message).toBe(
      'terraform plan failed: Reference to undeclared input variable (main.tf:3): An input variable with the name "missing" has not been declared. This variable can be declared with a variable "missing" {} block.',
    );
    const stderr = capture();
    reportError(error, { stdout: capture(), stderr, json: false, verbose: false, color: false });
    expect(stderr.text).toContain('✖ terraform plan failed: Reference to undeclared input variable (main.tf:3)');
    expect(stderr.text).toContain('→ fix what terraform reports above, then run the command again');
  });

  it('reports validation problems as diagnostics', async () => {
    const { terraform } = runner('broken');
    await terraform.init();
    expect(await terraform.validate()).toEqual([
      {
        severity: 'error',
        summary: 'Reference to undeclared input variable',
        detail:
          'An input variable with the name "missing" has not been declared. This variable can be declared with a variable "missing" {} block.',
        address: 'main.tf:3',
      },
    ]);
  });
});

describe('the terraform binary', () => {
  it('missing: a usage error (exit 2) that says how to install it', async () => {
    const { terraform, dir } = runner('basic');
    const missing = new TerraformRunner({
      dir,
      reporter: new RecordingReporter(),
      binary: join(dir, 'no-such-terraform'),
    });
    const error = await missing.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe(ExitCode.usage);
    expect((error as UsageError).message).toBe(
      `terraform not found: "${join(dir, 'no-such-terraform')}" is not an executable on PATH`,
    );
    expect((error as UsageError).fix).toMatch(
      /^install terraform >= 1\.10\.0 .* or set terraform\.binary in ydeploy\.config\.json$/,
    );
    expect(await terraform.version()).toMatch(/^1\./);
  });

  it('too old: a usage error naming the version', async () => {
    const { dir } = runner('basic');
    const fake = join(dir, 'terraform-1.5');
    writeFileSync(fake, '#!/bin/sh\necho \'{"terraform_version":"1.5.7","platform":"linux_amd64"}\'\n');
    chmodSync(fake, 0o755);
    const old = new TerraformRunner({ dir, reporter: new RecordingReporter(), binary: fake });
    const error = await old.plan().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({
      code: ExitCode.usage,
      what: 'terraform 1.5.7 is too old',
      why: "ydeploy needs terraform >= 1.10.0 (the S3 backend's use_lockfile)",
    });
  });
});

describe('Ctrl-C during an apply', () => {
  it('sends terraform SIGINT once: it stops gracefully, unlocks the state, and nothing is left running', async () => {
    const reporter = new RecordingReporter();
    const { terraform, dir } = runner('slow', reporter);
    await terraform.init();
    const graceful = new AbortController();
    reporter.onRecord = (record) => {
      // Interrupt once the slow resource is being created (its local-exec is running).
      if (record.kind === 'debug' && record.text.includes('Executing:')) setTimeout(() => graceful.abort(), 300);
    };
    const started = Date.now();
    const error = await terraform.apply({ signal: graceful.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).code).toBe(ExitCode.interrupted);
    expect((error as InterruptedError).message).toBe('terraform apply was stopped: interrupted by signal');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(reporter.of('debug').filter((t) => t.startsWith('sending SIGINT'))).toHaveLength(1);
    expect(reporter.of('warn')).toEqual(['terraform received the interrupt and is stopping gracefully']);
    expect(reporter.of('debug').join('\n')).not.toMatch(/Two interrupts/);
    expect(reporter.of('fail')).toEqual(['create terraform_data.slow', 'terraform apply']);
    // A graceful stop releases the local state lock; a killed terraform would leave it.
    expect(existsSync(join(dir, '.terraform.tfstate.lock.info'))).toBe(false);
    // A killed process takes a moment to become a zombie.
    await expect.poll(() => processesIn(dir), { timeout: 2000 }).toEqual([]);
    // The state is usable at once: the next plan still wants the resource.
    expect(await terraform.plan()).toMatchObject({ changed: true });
  });

  it('a second Ctrl-C kills terraform and its children', async () => {
    const reporter = new RecordingReporter();
    const { terraform, dir } = runner('slow', reporter);
    await terraform.init();
    const graceful = new AbortController();
    const kill = new AbortController();
    reporter.onRecord = (record) => {
      if (record.kind === 'debug' && record.text.includes('Executing:')) setTimeout(() => kill.abort(), 300);
    };
    const error = await terraform.apply({ signal: graceful.signal, killSignal: kill.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    await expect.poll(() => processesIn(dir), { timeout: 2000 }).toEqual([]);
  });

  it('ydeploy exiting mid-apply takes terraform with it', async () => {
    const { dir } = runner('slow');
    const script = fileURLToPath(new URL('fixtures/exit-mid-apply.ts', import.meta.url));
    const { stdout } = await execa(process.execPath, ['--import', 'tsx', script, dir], {
      env: { ...process.env, TF_CLI_CONFIG_FILE: '' },
      timeout: 60_000,
    });
    expect(stdout).toBe('exiting');
    await expect.poll(() => processesIn(dir), { timeout: 2000 }).toEqual([]);
  });

  it('an abort before the run starts spawns nothing', async () => {
    const { terraform } = runner('slow');
    await terraform.init();
    const aborted = AbortSignal.abort();
    await expect(terraform.apply({ signal: aborted })).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(join(dir!, 'terraform.tfstate'))).toBe(false);
  });
});

function capture(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      stream.text += String(chunk);
      callback();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}
