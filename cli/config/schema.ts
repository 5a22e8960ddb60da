// The one source for ydeploy.config.json: validation, defaults and the README's reference
// (configReference() below; a test keeps README.md in step with it).
import { z } from 'zod';
import { READY_FILE_DEFAULT } from '../../bot/contracts/readiness.js';
import ms from 'ms';

const duration = (fallback: string, what: string) =>
  z
    .union([z.string(), z.number().int().nonnegative()])
    .default(fallback)
    .describe(`${what}; a duration such as "90s", "5m" or milliseconds`)
    .transform((value, ctx) => {
      const parsed = typeof value === 'number' ? value : ms(value as ms.StringValue);
      if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (try "30s" or "5m")` });
        return z.NEVER;
      }
      return parsed;
    });

const name = /^[a-z][a-z0-9-]{0,30}$/;

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
      .default({})
      .describe('Extra module variables (instance_type, vpc_cidr, alarm_actions, ...)'),
  })
  .strict();

export const healthSchema = z
  .object({
    port: z.number().int().min(1).max(65535).default(3000).describe('Port of the bot health server on the instance'),
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

export const environmentSchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1')
      .default('us-east-1')
      .describe('AWS region'),
    profile: z.string().optional().describe('AWS profile (the standard credential chain otherwise)'),
    stateBucket: z.string().min(3).describe('S3 bucket for terraform state, lock.json, desired.json and the journal'),
    releaseBucket: z.string().min(3).optional().describe('S3 bucket for release bundles (the state bucket by default)'),
    tokenParameter: z.string().startsWith('/').describe('SSM SecureString parameter that holds the Discord token'),
    instanceType: z.string().default('t3.small').describe('EC2 instance type of the bot instances'),
    terraform: terraformSchema.prefault({}).describe('How ydeploy runs terraform'),
    health: healthSchema.prefault({}).describe('The health gate'),
    lockTtl: duration('10m', 'A lock not renewed for this long has expired'),
    guild: z
      .string()
      .regex(/^\d{17,20}$/, 'must be a Discord guild id (a snowflake: 17-20 digits)')
      .optional()
      .describe('Register slash commands to this guild (instant) instead of globally'),
    discordApi: z
      .string()
      .url()
      .refine((url) => /^https?:\/\/[^\s'"`\\$]+$/.test(url), 'must be an http(s) URL such as https://discord.com/api')
      .default('https://discord.com/api')
      .describe('Discord API base URL the bot and checks use'),
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
      .describe('Project name: tags and resource names'),
    defaultEnvironment: z.string().optional().describe('Environment used when neither --env nor YDEPLOY_ENV is given'),
    bot: botSchema.optional().describe("The team's bot: what deploy builds into a release"),
    sandbox: sandboxSettingsSchema.prefault({}).describe('The built-in sandbox environment'),
    environments: z
      .record(z.string().regex(name, 'environment names are lowercase letters, digits and dashes'), environmentSchema)
      .default({})
      .describe('Environments by name; "sandbox" is built in'),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type BotConfig = z.output<typeof botSchema>;
export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;

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
