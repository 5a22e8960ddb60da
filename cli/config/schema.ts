// The one source for ydeploy.config.json: validation, defaults and the README's reference
// (configReference() below; a test keeps README.md in step with it).
import * as z from 'zod';
import { READY_FILE_DEFAULT } from '../../bot/contracts/readiness.js';
import ms from 'ms';

const duration = (fallback: string, what: string) =>
  z
    .union([z.string(), z.number().int().nonnegative()])
    .default(fallback)
    .describe(`${what}; a duration such as "90s", "5m" or milliseconds`)
    .transform((value, ctx) => {
      // `ms` throws on an empty string; zero would make a wait that never waits.
      const text = typeof value === 'string' ? value.trim() : '';
      const parsed = typeof value === 'number' ? value : text ? ms(text as ms.StringValue) : undefined;
      if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a positive duration (try "30s" or "5m")` });
        return z.NEVER;
      }
      return parsed;
    });

/** Bounds of `lockTtl`, in milliseconds. */
export const LOCK_TTL_MIN = 30_000;
export const LOCK_TTL_MAX = 3_600_000;

const name = /^[a-z][a-z0-9-]{0,30}$/;

/** Why `bucket` breaks S3's naming rules for general purpose buckets, or undefined when it does not. */
export function bucketNameProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(bucket)) return 'must be lowercase letters, digits, dots and dashes only';
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) return 'must begin and end with a letter or a digit';
  if (bucket.includes('..')) return 'must not contain two dots in a row';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return 'must not look like an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((p) => bucket.startsWith(p));
  if (prefix) return `must not start with "${prefix}" (reserved by S3)`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((p) => bucket.endsWith(p));
  if (suffix) return `must not end with "${suffix}" (reserved by S3)`;
  return undefined;
}

const bucketName = (what: string) =>
  z
    .string()
    .superRefine((bucket, ctx) => {
      const problem = bucketNameProblem(bucket);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (S3 bucket names, e.g. acme-ydeploy-state)` });
    })
    .describe(what);

/** Why `parameter` is not an SSM parameter name ydeploy can use, or undefined when it is one. */
export function parameterNameProblem(parameter: string): string | undefined {
  if (!parameter.startsWith('/')) return 'must start with "/" (a path such as /acme/production/discord-token)';
  if (parameter.length > 1011) return 'must be at most 1011 characters';
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(parameter))
    return 'must be /-separated parts of letters, digits, _ . and - (no empty part, no trailing /)';
  if (parameter.split('/').length - 1 > 15) return 'must have at most 15 levels';
  if (/^\/(aws|ssm)/i.test(parameter)) return 'must not start with "aws" or "ssm" (reserved by AWS)';
  return undefined;
}

/** Loopback hosts: the only ones a Discord token may be sent to over plain http. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Why `url` is not a Discord API base ydeploy may send the token to, or undefined when it is one. */
export function discordApiProblem(url: string): string | undefined {
  // It goes into scripts run as root on the instances (cli/core/shell.ts checks it again).
  if (!/^https?:\/\/[^\s'"`\\$]+$/.test(url)) return 'must be an http(s) URL such as https://discord.com/api';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an http(s) URL such as https://discord.com/api';
  }
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname))
    return `must use https: the bot token is sent to ${parsed.host} and plain http would expose it (http is for 127.0.0.1 / localhost only)`;
  return undefined;
}

/**
 * Module variables ydeploy sets itself on every apply (cli/core/desired/state.ts): from the
 * environment's settings or from the deployment's state. In `terraform.vars` they would be
 * overridden, or worse override the state; each says what to set instead.
 */
export const OWNED_TERRAFORM_VARS: Readonly<Record<string, string>> = {
  project: 'set "project" at the top of the config',
  environment: 'it is the environment\'s name in "environments"',
  region: 'set the environment\'s "region"',
  release_bucket: 'set the environment\'s "releaseBucket"',
  discord_token_parameter: 'set the environment\'s "tokenParameter"',
  health_port: 'set the environment\'s "health.port"',
  instance_type: 'set the environment\'s "instanceType"',
  use_private_subnet: 'deploy and rollback decide it (rollback --to legacy uses the public subnet)',
  enable_legacy_instance: 'migrate and rollback decide it',
  enable_enhanced_instance: 'migrate, deploy and rollback decide it',
  release_version: 'deploy decides it (ydeploy deploy --version <v>)',
  legacy_release_version: 'migrate and rollback decide it',
  candidate_release_version: 'deploy decides it',
  serving_role: 'migrate and rollback decide it (the handoff)',
  shard_groups: 'set the environment\'s "fleet" (its shards and shardsPerInstance decide the groups)',
  alarm_email: 'set the environment\'s "alarms.email"',
  nat_type: 'set the environment\'s "network.nat"',
  nat_instance_type: 'set the environment\'s "network.natInstanceType"',
  interface_endpoints: 'set the environment\'s "network.interfaceEndpoints"',
};

/**
 * Suffixes the module appends to "<project>-<environment>" in IAM role names (terraform/iam.tf);
 * IAM refuses role names over 64 characters. A test keeps this list in step with the module.
 */
export const IAM_ROLE_SUFFIXES = ['-bot-instance', '-flow-logs'] as const;
export const IAM_ROLE_NAME_MAX = 64;

/** The longest IAM role name the module derives for this project and environment. */
export function longestIamRoleName(project: string, environment: string): string {
  return IAM_ROLE_SUFFIXES.map((suffix) => `${project}-${environment}${suffix}`).reduce((a, b) =>
    b.length > a.length ? b : a,
  );
}

export const terraformSchema = z
  .object({
    dir: z
      .string()
      .optional()
      .describe('Your own terraform module, relative to the config file (default: the module bundled with ydeploy)'),
    binary: z.string().default('terraform').describe('The terraform executable (a path or a name on PATH)'),
    pluginDir: z
      .string()
      .optional()
      .describe('A provider mirror directory (air-gapped machines): passed as -plugin-dir to init'),
    cliConfig: z
      .string()
      .optional()
      .describe('A terraform CLI config file (TF_CLI_CONFIG_FILE), e.g. one with a provider_installation mirror'),
    varFiles: z.array(z.string()).default([]).describe('Extra -var-file files, applied before desired.json'),
    vars: z
      .record(z.string(), z.unknown())
      .superRefine((vars, ctx) => {
        for (const key of Object.keys(vars))
          if (Object.hasOwn(OWNED_TERRAFORM_VARS, key))
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `ydeploy sets ${key} itself: ${OWNED_TERRAFORM_VARS[key]}, and remove it from terraform.vars`,
            });
      })
      .default({})
      .describe(
        'Extra module variables (vpc_cidr, alarm_actions, log_retention_days, ...); not those ydeploy sets itself ' +
          '(project, environment, region, release and instance variables: use the config keys)',
      ),
  })
  .strict();

export const healthSchema = z
  .object({
    port: z
      .number()
      .int()
      .min(1024, 'must be 1024 to 65535 (the bot runs unprivileged; the module refuses lower ports)')
      .max(65535, 'must be 1024 to 65535')
      .default(3000)
      .describe('Port of the bot health server on the instance (1024-65535)'),
    // It goes into a script run as root on the instance (cli/core/shell.ts checks it again).
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/%-]*$/, 'must be a URL path such as /health (letters, digits, - . _ ~ / % only)')
      .default('/health')
      .describe('Path of the health endpoint'),
    readyFile: z.string().default(READY_FILE_DEFAULT).describe('The readiness file the bot writes'),
    pollInterval: duration('2s', 'Time between two health probes'),
    gateTimeout: duration('10m', 'How long the health gate waits for "healthy" before failing'),
    onlineTimeout: duration('5m', 'How long to wait for an instance to be running and Online in SSM'),
    logsTimeout: duration('2m', 'How long to wait for both log streams to receive events'),
  })
  .strict();

export const alarmsSchema = z
  .object({
    email: z
      .email('must be an e-mail address such as ops@example.com')
      .optional()
      .describe(
        "E-mail address subscribed to the alarms' SNS topic (AWS mails a confirmation link first); every alarm notifies the topic on ALARM and OK",
      ),
  })
  .strict();

/** Interface VPC endpoints the module can create (terraform/variables.tf interface_endpoints). */
export const INTERFACE_ENDPOINTS = ['ssm', 'ssmmessages', 'ec2messages', 'logs'] as const;

export const networkSchema = z
  .object({
    nat: z
      .enum(['gateway', 'instance'], 'must be "gateway" (the managed NAT gateway) or "instance" (a NAT instance)')
      .default('gateway')
      .describe(
        'How the private subnet reaches the internet: "gateway" (managed NAT gateway, the guide\'s) or "instance" ' +
          '(one small NAT instance: cheaper, no AZ redundancy, you patch it); switching is an apply',
      ),
    natInstanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as t4g.nano')
      .default('t4g.nano')
      .describe('EC2 instance type of the NAT instance (nat "instance"); Graviton types get the arm64 image'),
    interfaceEndpoints: z
      .array(z.enum(INTERFACE_ENDPOINTS, `must be one of ${INTERFACE_ENDPOINTS.join(', ')}`))
      .default([])
      .refine((names) => new Set(names).size === names.length, 'must not name an endpoint twice')
      .describe(
        'Interface VPC endpoints in the private subnet, so these AWS APIs bypass the NAT: ssm, ssmmessages, ' +
          'ec2messages (Run Command), logs (CloudWatch Logs); each costs per hour and AZ',
      ),
  })
  .strict();

export const costSchema = z
  .object({
    warnAbove: z
      .number()
      .nonnegative()
      .default(10)
      .describe(
        'Preflight warns (not fails) when a migrate or deploy raises the monthly estimate by more than this many USD',
      ),
  })
  .strict();

export const notifySchema = z
  .object({
    webhookParameter: z
      .string()
      .superRefine((parameter, ctx) => {
        const problem = parameterNameProblem(parameter);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        'SSM SecureString parameter holding the Discord webhook URL deployments are announced to ' +
          '(default /<project>/<environment>/notify/discord-webhook; set it with ydeploy notify set-webhook)',
      ),
    timeout: duration('5s', 'How long one notification may take before ydeploy warns and moves on'),
  })
  .strict();

export const hooksSchema = z
  .object({
    preDeploy: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Shell command run before migrate, deploy or rollback changes anything; failing stops the run (exit 3)',
      ),
    postDeploy: z.string().min(1).optional().describe('Shell command run after a run succeeded; failing only warns'),
    onFailure: z
      .string()
      .min(1)
      .optional()
      .describe('Shell command run after a run failed or was interrupted; failing only warns'),
    timeout: duration('5m', 'How long one hook may run before it is killed'),
  })
  .strict();

/** A gateway session may carry at most this many guilds (Discord closes it with 4011 beyond). */
export const GUILDS_PER_SHARD_MAX = 2500;

export const fleetSchema = z
  .object({
    shards: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(1)
      .describe('Gateway shards in all (Discord requires one per 2,500 guilds; /gateway/bot recommends a count)'),
    shardsPerInstance: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .optional()
      .describe('Shards each instance runs (a shard group); default: all of them on one instance'),
    groupsAtOnce: z.number().int().min(1).default(1).describe('Shard groups a rolling deploy replaces at a time'),
  })
  .strict();

export const environmentSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')
      .default('us-east-1')
      .describe('AWS region'),
    profile: z.string().optional().describe('AWS profile (the standard credential chain otherwise)'),
    stateBucket: bucketName('S3 bucket for terraform state, lock.json, desired.json and the journal'),
    releaseBucket: bucketName('S3 bucket for release bundles (the state bucket by default)').optional(),
    tokenParameter: z
      .string()
      .superRefine((parameter, ctx) => {
        const problem = parameterNameProblem(parameter);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('SSM SecureString parameter that holds the Discord token'),
    instanceType: z.string().default('t3.small').describe('EC2 instance type of the bot instances'),
    terraform: terraformSchema.prefault({}).describe('How ydeploy runs terraform'),
    fleet: fleetSchema
      .prefault({})
      .describe('The sharded fleet: shards in all, shards per instance (one shard on one instance by default)'),
    health: healthSchema.prefault({}).describe('The health gate'),
    alarms: alarmsSchema.optional().describe('Who the CloudWatch alarms notify'),
    network: networkSchema.prefault({}).describe("The network's cost choices (the NAT, VPC endpoints)"),
    cost: costSchema.prefault({}).describe('Cost estimates (ydeploy cost, and the cost of every plan)'),
    notify: notifySchema.prefault({}).describe('Deployment notifications to a Discord webhook'),
    lockTtl: duration('10m', 'A lock not renewed for this long has expired (30s to 1h)').superRefine((value, ctx) => {
      // Shorter and a slow network or a busy laptop loses the lock mid-step; longer and a dead
      // run blocks everyone for hours.
      if (value < LOCK_TTL_MIN || value > LOCK_TTL_MAX)
        ctx.addIssue({
          code: 'custom',
          message: `${ms(value, { long: true })} is outside 30 seconds to 1 hour (try "2m" or "10m")`,
        });
    }),
    guild: z
      .string()
      .regex(/^\d{17,20}$/, 'must be a Discord guild id (a snowflake: 17-20 digits)')
      .optional()
      .describe('Register slash commands to this guild (instant) instead of globally'),
    discordApi: z
      .string()
      .superRefine((url, ctx) => {
        const problem = discordApiProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('https://discord.com/api')
      .describe('Discord API base URL the bot and checks use (https; plain http only to 127.0.0.1 / localhost)'),
  })
  .strict();

// Node options go into the bot unit's NODE_OPTIONS: flags only, no shell characters.
const NODE_OPTIONS = /^--[A-Za-z0-9-]+(=[A-Za-z0-9._:/,=+-]+)?( +--[A-Za-z0-9-]+(=[A-Za-z0-9._:/,=+-]+)?)*$/;

export const botSchema = z
  .object({
    entry: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The bot module (.ts or .js) that default-exports defineBot({...}) from "ydeploy/bot", relative to the ' +
          'config file; `deploy --source` overrides it (default: the example bot)',
      ),
    external: z
      .array(z.string().regex(/^(@[a-z0-9._~-]+\/)?[a-z0-9._~-]+$/, 'must be an npm package name'))
      .default([])
      .describe(
        "Packages left out of the bundle (native modules) and copied into the release from the project's node_modules",
      ),
    files: z
      .array(z.string().min(1))
      .default([])
      .describe('Extra files copied into the release, as globs relative to the config file (e.g. "assets/**")'),
    nodeOptions: z
      .string()
      .regex(NODE_OPTIONS, 'must be node flags such as "--max-old-space-size=256"')
      .optional()
      .describe("Node options of the bot's process on the instances (NODE_OPTIONS)"),
    test: z
      .string()
      .min(1)
      .optional()
      .describe('The bot\'s test command, run in the config file\'s folder by preflight (e.g. "npm test")'),
  })
  .strict();

export const sandboxSettingsSchema = z
  .object({
    legacy: z
      .boolean()
      .default(true)
      .describe('`sandbox up` starts a legacy instance to migrate from; false: the first deploy starts afresh'),
  })
  .strict();

export const configSchema = z
  .object({
    $schema: z.string().optional().describe('JSON schema reference (ignored)'),
    project: z
      .string()
      .regex(name, 'lowercase letters, digits and dashes, starting with a letter')
      .default('ydeploy')
      .describe(
        'Project name: tags and resource names (with an environment name, at most 50 characters: IAM role names)',
      ),
    defaultEnvironment: z.string().optional().describe('Environment used when neither --env nor YDEPLOY_ENV is given'),
    bot: botSchema.optional().describe("The team's bot: what deploy builds into a release"),
    sandbox: sandboxSettingsSchema.prefault({}).describe('The built-in sandbox environment'),
    hooks: hooksSchema
      .optional()
      .describe('Shell commands run around migrate, deploy and rollback, with YDEPLOY_* variables (README: Hooks)'),
    environments: z
      .record(z.string().regex(name, 'environment names are lowercase letters, digits and dashes'), environmentSchema)
      .default({})
      .describe('Environments by name; "sandbox" is built in'),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const environment of Object.keys(config.environments)) {
      const role = longestIamRoleName(config.project, environment);
      if (role.length > IAM_ROLE_NAME_MAX)
        ctx.addIssue({
          code: 'custom',
          path: ['environments', environment],
          message:
            `the IAM role name ${role} would be ${role.length} characters and IAM allows ${IAM_ROLE_NAME_MAX}: ` +
            `shorten "project" or the environment's name by ${role.length - IAM_ROLE_NAME_MAX}`,
        });
    }
  });

export type Config = z.output<typeof configSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type BotConfig = z.output<typeof botSchema>;
export type NetworkConfig = z.output<typeof networkSchema>;
export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;
export type HooksConfig = z.output<typeof hooksSchema>;
export type NotifyConfig = z.output<typeof notifySchema>;

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
}

/** The README's configuration reference, generated from the schema. */
export function configReference(): string {
  const rows: Row[] = [];
  walk(configSchema, '', rows);
  const lines = ['| key | type | default | description |', '|---|---|---|---|'];
  for (const row of rows) lines.push(`| \`${row.path}\` | ${row.type} | ${row.default} | ${row.description} |`);
  return lines.join('\n');
}

function walk(schema: z.ZodType, path: string, rows: Row[]): void {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  visit(json, path, rows);
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  default?: unknown;
  description?: string;
}

function typeOf(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' \\| ');
  if (schema.type === 'array') return `${schema.items ? typeOf(schema.items) : 'any'}[]`;
  return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
}

function visit(schema: JsonSchema, path: string, rows: Row[]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (key === '$schema') continue;
    const childPath = path ? `${path}.${key}` : key;
    if (child.properties) {
      visit(child, childPath, rows);
      continue;
    }
    if (
      child.additionalProperties &&
      typeof child.additionalProperties === 'object' &&
      child.additionalProperties.properties
    ) {
      visit(child.additionalProperties, `${childPath}.<name>`, rows);
      continue;
    }
    rows.push({
      path: childPath,
      type: typeOf(child),
      default:
        child.default === undefined
          ? isRequired(schema, key)
            ? 'required'
            : ''
          : `\`${JSON.stringify(child.default)}\``,
      description: child.description ?? '',
    });
  }
}

function isRequired(schema: JsonSchema & { required?: string[] }, key: string): boolean {
  return (schema.required ?? []).includes(key);
}
