// `ydeploy init`: writes a validated ydeploy.config.json. On a terminal it asks; in CI the
// flags say it all. `--store-token` puts the Discord token into SSM as a SecureString, read
// from stdin or a prompt that does not echo it (never from a flag: flags end up in shell
// history and process listings).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { CommandInput } from '../command.js';
import { DEFAULT_CONFIG_FILE, parseConfig } from '../config/load.js';
import { environmentSchema, type ConfigInput } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../ports.js';

export interface InitFlags {
  project?: string;
  stateBucket?: string;
  releaseBucket?: string;
  tokenParameter?: string;
  storeToken?: boolean;
  force?: boolean;
}

export interface Answers {
  project: string;
  environment: string;
  region: string;
  stateBucket: string;
  releaseBucket?: string;
  tokenParameter: string;
}

export async function run(input: CommandInput<InitFlags>): Promise<number> {
  const { options: flags, globals, reporter } = input;
  const file = resolve(input.cwd, globals.config ?? input.env.YDEPLOY_CONFIG ?? DEFAULT_CONFIG_FILE);
  const exists = existsSync(file);
  const configFlags = Boolean(flags.project || flags.stateBucket || flags.releaseBucket || flags.tokenParameter);
  const stdin = input.stdin ?? process.stdin;
  const ask = Boolean(stdin.isTTY) && !globals.yes && !globals.json;

  // An existing config plus --store-token alone: store the token for one of its environments.
  if (exists && flags.storeToken && !flags.force && !configFlags) {
    const token = await readToken(input, ask);
    const { env } = await storeToken(input, file, globals.env, token);
    reporter.result({ ok: true, file, environment: env, written: false, tokenStored: true });
    return 0;
  }
  if (exists && !flags.force) {
    throw new UsageError(`${file} already exists`, 'init does not overwrite a config', {
      fix: `ydeploy init --force (replaces that environment's settings, keeps the others)${flags.storeToken ? '' : `, or to store the token only: ydeploy init --store-token --env <name>`}`,
    });
  }

  const answers = ask ? await promptAnswers(reporter, defaults(input)) : fromFlags(input);
  const existing = exists ? await readExisting(file) : undefined;
  const config = buildConfig(answers, existing);
  const text = `${JSON.stringify(config, null, 2)}\n`;
  parseConfig(text, file);
  // The token is read before anything is written, so a missing one leaves nothing half-done.
  const token = flags.storeToken ? await readToken(input, ask) : undefined;
  await writeFile(file, text);
  reporter.step(`Wrote ${basename(file)}`).succeed(`${answers.environment}: ${answers.region}, s3://${answers.stateBucket}, token in ${answers.tokenParameter}`);
  if (token !== undefined) await storeToken(input, file, answers.environment, token);
  else reporter.info(`store the Discord token next (read from stdin or a hidden prompt): ydeploy init --store-token --env ${answers.environment}`);
  reporter.info(`then check everything: ydeploy preflight --env ${answers.environment}`);
  reporter.result({ ok: true, file, environment: answers.environment, written: true, tokenStored: token !== undefined, config });
  return 0;
}

/** What a terminal user is offered, and what CI gets without a flag. */
export function defaults(input: Pick<CommandInput<InitFlags>, 'options' | 'globals' | 'cwd' | 'env'>): Partial<Answers> & Pick<Answers, 'project' | 'environment' | 'region'> {
  const { options: flags, globals } = input;
  const project = flags.project ?? projectName(input.cwd);
  const environment = globals.env ?? input.env.YDEPLOY_ENV ?? 'production';
  return {
    project,
    environment,
    region: globals.region ?? input.env.AWS_REGION ?? 'us-east-1',
    stateBucket: flags.stateBucket,
    releaseBucket: flags.releaseBucket,
    tokenParameter: flags.tokenParameter ?? `/${project}/${environment}/discord-token`,
  };
}

export function fromFlags(input: Pick<CommandInput<InitFlags>, 'options' | 'globals' | 'cwd' | 'env'>): Answers {
  const d = defaults(input);
  if (!d.stateBucket) {
    throw new UsageError('init needs a state bucket', 'standard input is not a terminal (or --yes / --json was given), so init cannot ask for it', {
      fix: `ydeploy init --env ${d.environment} --region ${d.region} --state-bucket <bucket> [--release-bucket <bucket>] [--token-parameter ${d.tokenParameter}] [--project ${d.project}]`,
    });
  }
  return { ...d, stateBucket: d.stateBucket, tokenParameter: d.tokenParameter! };
}

/** The config with this environment set; other environments of an existing config are kept. */
export function buildConfig(answers: Answers, existing?: ConfigInput): ConfigInput {
  const env: Record<string, unknown> = { region: answers.region, stateBucket: answers.stateBucket, tokenParameter: answers.tokenParameter };
  if (answers.releaseBucket && answers.releaseBucket !== answers.stateBucket) env.releaseBucket = answers.releaseBucket;
  const previous = (existing?.environments ?? {}) as Record<string, Record<string, unknown>>;
  return {
    ...existing,
    project: answers.project,
    defaultEnvironment: existing?.defaultEnvironment ?? answers.environment,
    environments: { ...previous, [answers.environment]: { ...previous[answers.environment], ...env } },
  } as ConfigInput;
}

interface Question {
  key: keyof Answers;
  text: string;
  validate: (value: string) => string | undefined;
}

const field = (key: 'region' | 'stateBucket' | 'releaseBucket' | 'tokenParameter') => (value: string) => {
  const result = environmentSchema.shape[key].safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
};
const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const named = (value: string) => (NAME.test(value) ? undefined : 'lowercase letters, digits and dashes, starting with a letter');

const QUESTIONS: Question[] = [
  { key: 'project', text: 'Project name', validate: named },
  { key: 'environment', text: 'Environment', validate: named },
  { key: 'region', text: 'AWS region', validate: field('region') },
  { key: 'stateBucket', text: 'S3 bucket for state, lock and journal', validate: field('stateBucket') },
  { key: 'releaseBucket', text: 'S3 bucket for releases', validate: field('releaseBucket') },
  { key: 'tokenParameter', text: 'SSM parameter holding the Discord token', validate: field('tokenParameter') },
];

async function promptAnswers(reporter: Reporter, start: ReturnType<typeof defaults>): Promise<Answers> {
  const answers: Partial<Answers> = { ...start };
  for (const question of QUESTIONS) {
    // Suggestions that follow from earlier answers.
    const suggestion =
      question.key === 'stateBucket'
        ? (start.stateBucket ?? `${answers.project}-${answers.environment}-ydeploy`)
        : question.key === 'releaseBucket'
          ? (start.releaseBucket ?? answers.stateBucket)
          : question.key === 'tokenParameter' && start.tokenParameter === `/${start.project}/${start.environment}/discord-token`
            ? `/${answers.project}/${answers.environment}/discord-token`
            : (answers[question.key] as string | undefined);
    answers[question.key] = await askValid(reporter, question, suggestion);
  }
  return answers as Answers;
}

async function askValid(reporter: Reporter, question: Question, suggestion: string | undefined): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const value = (await reporter.prompt(question.text, { default: suggestion })).trim();
    const problem = value ? question.validate(value) : 'an answer is needed';
    if (!problem) return value;
    if (attempt === 3) throw new UsageError(`${question.text}: "${value}" is not valid`, problem, { fix: 'ydeploy init (or pass it as a flag)' });
    reporter.warn(`${question.text}: ${problem}`);
  }
}

async function readExisting(file: string): Promise<ConfigInput | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    parseConfig(text, file);
    // Kept as written: the parsed form has every default filled in.
    return JSON.parse(text) as ConfigInput;
  } catch {
    // --force over a broken file: start again.
    return undefined;
  }
}

async function readToken(input: CommandInput<InitFlags>, ask: boolean): Promise<string> {
  const stdin = input.stdin ?? process.stdin;
  let token: string;
  if (stdin.isTTY) {
    if (!ask) throw new UsageError('cannot read the Discord token', 'standard input is a terminal but prompts are off (--yes / --json)', { fix: 'pipe it in: printf %s "$DISCORD_TOKEN" | ydeploy init --store-token --yes' });
    token = await input.reporter.prompt('Discord bot token (not shown)', { secret: true });
  } else {
    token = await readAll(stdin);
  }
  token = token.trim();
  if (!token) throw new UsageError('no Discord token given', stdin.isTTY ? 'the answer was empty' : 'standard input was empty', { fix: 'printf %s "$DISCORD_TOKEN" | ydeploy init --store-token' });
  if (/\s/.test(token)) throw new UsageError('the Discord token is not valid', 'it contains whitespace (pipe in the token alone)', { fix: 'printf %s "$DISCORD_TOKEN" | ydeploy init --store-token' });
  return token;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (chunks.reduce((n, c) => n + c.length, 0) > 64 * 1024) throw new UsageError('too much on standard input', 'a Discord token is under 100 characters', { fix: 'printf %s "$DISCORD_TOKEN" | ydeploy init --store-token' });
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function storeToken(input: CommandInput<InitFlags>, file: string, env: string | undefined, token: string): Promise<{ env: string }> {
  const { createContext } = await import('../context.js');
  const ctx = await createContext({ ...(input as CommandInput), globals: { ...input.globals, config: file, env } });
  const step = input.reporter.step(`Store the Discord token in SSM ${ctx.env.tokenParameter} (${ctx.env.region})`);
  try {
    await ctx.ports.secrets.putSecure(ctx.env.tokenParameter, token, { overwrite: true });
  } catch (error) {
    step.fail();
    throw error;
  }
  step.succeed('SecureString');
  return { env: ctx.env.name };
}

function projectName(cwd: string): string {
  const name = basename(cwd).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').slice(0, 31).replace(/-+$/, '');
  return name || 'ydeploy';
}
