// What `ydeploy init` writes: one environment's answers, from flags or from prompts on a terminal,
// merged into the config file (its other environments are kept).
import { basename, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { CommandInput } from '../command.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../ports.js';
import { DEFAULT_CONFIG_FILE, parseConfig } from './load.js';
import { environmentSchema, type ConfigInput } from './schema.js';

/** The flags of `ydeploy init` that fill in answers. */
export interface InitFlags {
  project?: string;
  stateBucket?: string;
  releaseBucket?: string;
  tokenParameter?: string;
}

export interface Answers {
  project: string;
  environment: string;
  region: string;
  stateBucket: string;
  releaseBucket?: string;
  tokenParameter: string;
}

type InitInput = Pick<CommandInput<InitFlags>, 'options' | 'globals' | 'cwd' | 'env'>;

/** The config file init writes: --config, YDEPLOY_CONFIG, or ./ydeploy.config.json. */
export function configFile(input: Pick<CommandInput, 'globals' | 'cwd' | 'env'>): string {
  return resolve(input.cwd, input.globals.config ?? input.env.YDEPLOY_CONFIG ?? DEFAULT_CONFIG_FILE);
}

/** What a terminal user is offered, and what CI gets without a flag. */
export function defaults(input: InitInput): Partial<Answers> & Pick<Answers, 'project' | 'environment' | 'region'> {
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

export function fromFlags(input: InitInput): Answers {
  const d = defaults(input);
  if (!d.stateBucket) {
    throw new UsageError(
      'init needs a state bucket',
      'standard input is not a terminal (or --yes / --json was given), so init cannot ask for it',
      {
        fix: `ydeploy init --env ${d.environment} --region ${d.region} --state-bucket <bucket> [--release-bucket <bucket>] [--token-parameter ${d.tokenParameter}] [--project ${d.project}]`,
      },
    );
  }
  return { ...d, stateBucket: d.stateBucket, tokenParameter: d.tokenParameter! };
}

/** The config with this environment set; other environments of an existing config are kept. */
export function buildConfig(answers: Answers, existing?: ConfigInput): ConfigInput {
  const env: Record<string, unknown> = {
    region: answers.region,
    stateBucket: answers.stateBucket,
    tokenParameter: answers.tokenParameter,
  };
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
const named = (value: string) =>
  NAME.test(value) ? undefined : 'lowercase letters, digits and dashes, starting with a letter';

const QUESTIONS: Question[] = [
  { key: 'project', text: 'Project name', validate: named },
  { key: 'environment', text: 'Environment', validate: named },
  { key: 'region', text: 'AWS region', validate: field('region') },
  { key: 'stateBucket', text: 'S3 bucket for state, lock and journal', validate: field('stateBucket') },
  { key: 'releaseBucket', text: 'S3 bucket for releases', validate: field('releaseBucket') },
  { key: 'tokenParameter', text: 'SSM parameter holding the Discord token', validate: field('tokenParameter') },
];

export async function promptAnswers(reporter: Reporter, start: ReturnType<typeof defaults>): Promise<Answers> {
  const answers: Partial<Answers> = { ...start };
  for (const question of QUESTIONS) {
    // Suggestions that follow from earlier answers.
    const suggestion =
      question.key === 'stateBucket'
        ? (start.stateBucket ?? `${answers.project}-${answers.environment}-ydeploy`)
        : question.key === 'releaseBucket'
          ? (start.releaseBucket ?? answers.stateBucket)
          : question.key === 'tokenParameter' &&
              start.tokenParameter === `/${start.project}/${start.environment}/discord-token`
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
    if (attempt === 3)
      throw new UsageError(`${question.text}: "${value}" is not valid`, problem, {
        fix: 'ydeploy init (or pass it as a flag)',
      });
    reporter.warn(`${question.text}: ${problem}`);
  }
}

/** The config as written in `file` (the parsed form has every default filled in), if it is valid. */
export async function readExisting(file: string): Promise<ConfigInput | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    parseConfig(text, file);
    return JSON.parse(text) as ConfigInput;
  } catch {
    // --force over a broken file: start again.
    return undefined;
  }
}

function projectName(cwd: string): string {
  const name = basename(cwd)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 31)
    .replace(/-+$/, '');
  return name || 'ydeploy';
}
