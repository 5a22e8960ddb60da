// `ydeploy init`: writes a validated ydeploy.config.json. On a terminal it asks; in CI the
// flags say it all. `--store-token` puts the Discord token into SSM as a SecureString, read
// from stdin or a prompt that does not echo it (never from a flag: flags end up in shell
// history and process listings). `--bot <dir>` writes a new TypeScript bot project instead
// (cli/scaffold/): a bot, its unit test and a config whose sandbox deploys it.
import { defineCommand, type CommandInput } from '../command.js';

export default defineCommand({
  name: 'init',
  description: 'write a validated ydeploy.config.json (prompts on a terminal, flags otherwise)',
  examples: [
    'ydeploy init',
    'ydeploy init --env production --region eu-west-1 --state-bucket acme-ydeploy --token-parameter /acme/discord-token --yes',
    'echo "$TOKEN" | ydeploy init --env production --store-token --yes',
    'ydeploy init --env production --harden-bucket',
    'ydeploy init --bot my-bot',
  ],
  options: (cmd) =>
    cmd
      .option('--project <name>', 'project name (tags, resource names)')
      .option('--state-bucket <bucket>', 'S3 bucket for state, lock, journal')
      .option('--release-bucket <bucket>', 'S3 bucket for releases (default: the state bucket)')
      .option('--token-parameter <name>', 'SSM SecureString parameter holding the Discord token')
      .option('--store-token', 'store the Discord token in SSM (read from stdin or a hidden prompt, never a flag)')
      .option(
        '--harden-bucket',
        'create the state bucket if missing; give it versioning, default encryption, a public access block and a TLS-only policy',
      )
      .option('--bot <dir>', 'write a new TypeScript bot project (bot, unit test, config) into <dir>')
      .option('--force', 'overwrite an existing config file (with --bot: write into a non-empty folder)'),
  async run(input) {
    if (input.options.bot !== undefined) return initBot(input as CommandInput<BotFlags>);
    const [{ existsSync }, { writeFile }, { basename }, { UsageError }, { parseConfig }, init] = await Promise.all([
      import('node:fs'),
      import('node:fs/promises'),
      import('node:path'),
      import('../errors.js'),
      import('../config/load.js'),
      import('../config/init.js'),
    ]);
    const { options: flags, globals, reporter } = input;
    const file = init.configFile(input);
    const exists = existsSync(file);
    const configFlags = Boolean(flags.project || flags.stateBucket || flags.releaseBucket || flags.tokenParameter);
    const stdin = input.stdin ?? process.stdin;
    const ask = Boolean(stdin.isTTY) && !globals.yes && !globals.json;

    // An existing config plus --store-token and/or --harden-bucket alone: act on one of its environments.
    if (exists && (flags.storeToken || flags.hardenBucket) && !flags.force && !configFlags) {
      const token = flags.storeToken ? await readToken(input, ask) : undefined;
      const env = token !== undefined ? (await storeToken(input, file, globals.env, token)).env : undefined;
      const hardened = flags.hardenBucket ? await hardenStateBucket(input, file, globals.env) : undefined;
      reporter.result({
        ok: true,
        file,
        environment: env ?? hardened?.env,
        written: false,
        tokenStored: token !== undefined,
        ...(hardened ? { bucket: hardened.result } : {}),
      });
      return 0;
    }
    if (exists && !flags.force) {
      throw new UsageError(`${file} already exists`, 'init does not overwrite a config', {
        fix: `ydeploy init --force (replaces that environment's settings, keeps the others)${flags.storeToken ? '' : `, or to store the token only: ydeploy init --store-token --env <name>`}`,
      });
    }

    const answers = ask ? await init.promptAnswers(reporter, init.defaults(input)) : init.fromFlags(input);
    const existing = exists ? await init.readExisting(file) : undefined;
    const config = init.buildConfig(answers, existing);
    const text = `${JSON.stringify(config, null, 2)}\n`;
    parseConfig(text, file);
    // The token is read before anything is written, so a missing one leaves nothing half-done.
    const token = flags.storeToken ? await readToken(input, ask) : undefined;
    await writeFile(file, text);
    reporter
      .step(`Wrote ${basename(file)}`)
      .succeed(
        `${answers.environment}: ${answers.region}, s3://${answers.stateBucket}, token in ${answers.tokenParameter}`,
      );
    const hardened = flags.hardenBucket ? await hardenStateBucket(input, file, answers.environment) : undefined;
    if (token !== undefined) await storeToken(input, file, answers.environment, token);
    else
      reporter.info(
        `store the Discord token next (read from stdin or a hidden prompt): ydeploy init --store-token --env ${answers.environment}`,
      );
    reporter.info(`then check everything: ydeploy preflight --env ${answers.environment}`);
    reporter.result({
      ok: true,
      file,
      environment: answers.environment,
      written: true,
      tokenStored: token !== undefined,
      ...(hardened ? { bucket: hardened.result } : {}),
      config,
    });
    return 0;
  },
});

interface BotFlags {
  bot: string;
  force?: boolean;
  project?: string;
  stateBucket?: string;
  releaseBucket?: string;
  tokenParameter?: string;
  storeToken?: boolean;
  hardenBucket?: boolean;
}

async function initBot(input: CommandInput<BotFlags>): Promise<number> {
  const [{ UsageError }, { scaffoldBot }] = await Promise.all([import('../errors.js'), import('../scaffold/index.js')]);
  const { options: flags, reporter } = input;
  const other = ['project', 'stateBucket', 'releaseBucket', 'tokenParameter', 'storeToken', 'hardenBucket'] as const;
  const given = other.filter((key) => flags[key] !== undefined);
  if (given.length)
    throw new UsageError(
      `--bot cannot be combined with ${given.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
      'the new project starts with the built-in sandbox environment only',
      {
        fix: `ydeploy init --bot ${flags.bot}, then in that folder: ydeploy init --env production --state-bucket <bucket> --force`,
      },
    );
  const step = reporter.step(`Write a bot project into ${flags.bot}`);
  let result: Awaited<ReturnType<typeof scaffoldBot>>;
  try {
    result = await scaffoldBot(flags.bot, { cwd: input.cwd, force: flags.force });
  } catch (error) {
    step.fail();
    throw error;
  }
  step.succeed(`${result.files.length} files, ydeploy from ${result.ydeploy.spec}`);
  for (const file of result.files) reporter.info(`  ${file}`);
  reporter.info(`next: ${result.next}`);
  reporter.info(`then try it: ${result.tryIt.join(' ; ')}`);
  reporter.result({ ok: true, ...result });
  return 0;
}

async function readToken(input: CommandInput, ask: boolean): Promise<string> {
  const { UsageError } = await import('../errors.js');
  const stdin = input.stdin ?? process.stdin;
  let token: string;
  if (stdin.isTTY) {
    if (!ask)
      throw new UsageError(
        'cannot read the Discord token',
        'standard input is a terminal but prompts are off (--yes / --json)',
        { fix: 'pipe it in: printf %s "$DISCORD_TOKEN" | ydeploy init --store-token --yes' },
      );
    token = await input.reporter.prompt('Discord bot token (not shown)', { secret: true });
  } else {
    token = await readAll(stdin);
  }
  token = token.trim();
  if (!token)
    throw new UsageError('no Discord token given', stdin.isTTY ? 'the answer was empty' : 'standard input was empty', {
      fix: 'printf %s "$DISCORD_TOKEN" | ydeploy init --store-token',
    });
  if (/\s/.test(token))
    throw new UsageError('the Discord token is not valid', 'it contains whitespace (pipe in the token alone)', {
      fix: 'printf %s "$DISCORD_TOKEN" | ydeploy init --store-token',
    });
  return token;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const { UsageError } = await import('../errors.js');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (chunks.reduce((n, c) => n + c.length, 0) > 64 * 1024)
      throw new UsageError('too much on standard input', 'a Discord token is under 100 characters', {
        fix: 'printf %s "$DISCORD_TOKEN" | ydeploy init --store-token',
      });
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function storeToken(
  input: CommandInput,
  file: string,
  env: string | undefined,
  token: string,
): Promise<{ env: string }> {
  const { openContext } = await import('../context.js');
  const ctx = await openContext({ ...input, globals: { ...input.globals, config: file, env } });
  const step = input.reporter.step(`Store the Discord token in SSM ${ctx.env.tokenParameter} (${ctx.env.region})`);
  try {
    await ctx.secrets.putSecure(ctx.env.tokenParameter, token, { overwrite: true });
  } catch (error) {
    step.fail();
    throw error;
  }
  step.succeed('SecureString');
  return { env: ctx.env.name };
}

/**
 * Creates the environment's state bucket when it does not exist and gives it the protections
 * preflight checks (cli/core/buckets.ts). The sandbox's moto is plain http and would refuse every
 * request under a TLS-only policy, so the sandbox gets the others only.
 */
async function hardenStateBucket(
  input: CommandInput,
  file: string,
  env: string | undefined,
): Promise<{ env: string; result: import('../core/buckets.js').HardenResult & { bucket: string } }> {
  const [{ openContext }, { hardenBucket }] = await Promise.all([
    import('../context.js'),
    import('../core/buckets.js'),
  ]);
  const ctx = await openContext({ ...input, globals: { ...input.globals, config: file, env } });
  const bucket = ctx.env.stateBucket;
  const step = input.reporter.step(`Harden the state bucket s3://${bucket} (${ctx.env.region})`);
  try {
    const result = await hardenBucket(ctx.buckets!, bucket, ctx.env.region, {
      create: true,
      tlsOnly: !ctx.env.sandbox,
    });
    const said = [result.created ? 'created' : '', ...result.changed].filter(Boolean);
    step.succeed(said.length ? said.join(', ') : 'it had every protection already');
    return { env: ctx.env.name, result: { bucket, ...result } };
  } catch (error) {
    step.fail();
    throw error;
  }
}
