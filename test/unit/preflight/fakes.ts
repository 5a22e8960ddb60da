// In-memory ports for preflight unit tests, and a JSON reporter that records what it said.
import { PassThrough } from 'node:stream';
import { createReporter } from '../../../cli/output/reporter.js';
import { environmentSchema } from '../../../cli/config/schema.js';
import type { ResolvedEnvironment } from '../../../cli/config/load.js';
import type {
  DiscordAccount,
  Parameter,
  PlanResult,
  Reporter,
  Secrets,
  Terraform,
  TerraformDiagnostic,
  TerraformRunOptions,
} from '../../../cli/ports.js';
import { ApiError } from '../../../cli/errors.js';
import { systemClock } from '../../../cli/adapters/clock.js';
import type { CheckDeps } from '../../../cli/preflight/check.js';
import { MemoryStore } from '../../_helpers/fakes.js';
import { backendConfig } from '../../../cli/core/storage.js';

export class MemorySecrets implements Secrets {
  readonly params = new Map<string, Parameter>();
  async get(name: string) {
    return this.params.get(name);
  }
  async putSecure(name: string, value: string) {
    this.params.set(name, { name, type: 'SecureString', value });
  }
  async delete(name: string) {
    return this.params.delete(name);
  }
}

export class FakeTerraform implements Terraform {
  versionResult: string | Error = '1.11.0';
  diagnostics: TerraformDiagnostic[] = [];
  planResult: PlanResult = { changed: false, add: 0, change: 0, remove: 0, changes: [] };
  readonly calls: { name: string; options?: unknown; varFileBodies?: string[] }[] = [];
  async version() {
    this.calls.push({ name: 'version' });
    if (this.versionResult instanceof Error) throw this.versionResult;
    return this.versionResult;
  }
  async init(options?: unknown) {
    this.calls.push({ name: 'init', options });
  }
  async validate() {
    this.calls.push({ name: 'validate' });
    return this.diagnostics;
  }
  async plan(options?: TerraformRunOptions) {
    const { readFile } = await import('node:fs/promises');
    const varFileBodies = await Promise.all((options?.varFiles ?? []).map((f) => readFile(f, 'utf8')));
    this.calls.push({ name: 'plan', options, varFileBodies });
    return this.planResult;
  }
  async apply(): Promise<never> {
    throw new Error('preflight never applies');
  }
  async destroy(): Promise<never> {
    throw new Error('preflight never destroys');
  }
  async output() {
    return {};
  }
  withReporter() {
    return this;
  }
}

export class FakeDiscord implements DiscordAccount {
  constructor(
    public validToken = 'good-token',
    public remaining = 997,
    public total = 1000,
    public maxConcurrency = 1,
  ) {}
  async botUser(token: string) {
    if (token !== this.validToken)
      throw new ApiError('Discord rejected the bot token (GET /users/@me)', '401 Unauthorized', { status: 401 });
    return { id: '42', username: 'ydeploy-bot' };
  }
  async gatewayBot(token: string) {
    if (token !== this.validToken)
      throw new ApiError('Discord rejected the bot token (GET /gateway/bot)', '401 Unauthorized', { status: 401 });
    return {
      url: 'wss://gateway',
      shards: 1,
      sessionStartLimit: {
        total: this.total,
        remaining: this.remaining,
        resetAfter: 3_600_000,
        maxConcurrency: this.maxConcurrency,
      },
    };
  }
  // Slash commands are the deploy's business; preflight never reads or writes them.
  async application(): Promise<{ id: string }> {
    throw new Error('preflight does not read the application');
  }
  async commands(): Promise<never[]> {
    throw new Error('preflight does not read slash commands');
  }
  async overwriteCommands(): Promise<never[]> {
    throw new Error('preflight does not register slash commands');
  }
}

export function testEnv(overrides: Partial<ResolvedEnvironment> = {}): ResolvedEnvironment {
  const base = environmentSchema.parse({
    region: 'eu-west-1',
    stateBucket: 'acme-state',
    releaseBucket: 'acme-releases',
    tokenParameter: '/acme/discord-token',
    lockTtl: '10m',
  });
  return {
    ...base,
    terraform: { ...base.terraform, dir: '/tmp/module' },
    name: 'production',
    project: 'acme',
    sandbox: false,
    releaseBucket: 'acme-releases',
    configFile: '/repo/ydeploy.config.json',
    ...overrides,
  };
}

export interface Recorded {
  reporter: Reporter;
  events: () => Record<string, unknown>[];
}

export async function jsonReporter(): Promise<Recorded> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => (text += chunk));
  const reporter = await createReporter({ json: true, stdout, stderr: new PassThrough(), interactive: false });
  return {
    reporter,
    events: () =>
      text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

export function healthyDeps(): CheckDeps & {
  store: MemoryStore;
  releases: MemoryStore;
  secrets: MemorySecrets;
  terraform: FakeTerraform;
  discord: FakeDiscord;
} {
  const secrets = new MemorySecrets();
  secrets.params.set('/acme/discord-token', { name: '/acme/discord-token', type: 'SecureString', value: 'good-token' });
  return {
    env: testEnv(),
    backend: backendConfig(testEnv(), { pathStyle: false }),
    identity: {
      whoami: async () => ({ account: '123456789012', arn: 'arn:aws:iam::123456789012:user/ci', userId: 'AID' }),
    },
    store: new MemoryStore('acme-state'),
    releases: new MemoryStore('acme-releases'),
    secrets,
    terraform: new FakeTerraform(),
    clock: systemClock,
    discord: new FakeDiscord(),
    tests: {
      file: process.execPath,
      args: ['-e', 'console.log("Tests  3 passed (3)")'],
      cwd: process.cwd(),
      timeoutMs: 20_000,
    },
    signal: new AbortController().signal,
  };
}
