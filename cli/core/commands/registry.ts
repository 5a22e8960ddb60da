// The application's registered slash commands, in the scope the environment names: its test
// guild when `guild` is set (changes show at once), else global. The token comes from the
// environment's SSM parameter, as preflight reads it, and stays inside the Discord port.
import type { CommandDefinition, RegisteredCommand } from '../../ports.js';
import { UserError } from '../../errors.js';
import type { Context } from '../context.js';

export type RegistryDeps = Pick<Context, 'env' | 'secrets' | 'discord' | 'signal'>;

export interface CommandRegistry {
  /** "global" or "guild <id>". */
  scope: string;
  registered(): Promise<RegisteredCommand[]>;
  /** One bulk overwrite: afterwards exactly `defs` are registered in the scope. */
  overwrite(defs: CommandDefinition[]): Promise<RegisteredCommand[]>;
}

/** The guild commands register to, when the environment names one. */
export function guildOf(env: Pick<Context['env'], 'guild'>): string | undefined {
  return env.guild || undefined;
}

/** Where the environment's commands live: "guild <id>" or "global". */
export function scopeOf(env: Pick<Context['env'], 'guild'>): string {
  const guild = guildOf(env);
  return guild ? `guild ${guild}` : 'global';
}

// One application lookup per context (a deploy reads the registry from the gate and the sync).
const opened = new WeakMap<object, Promise<CommandRegistry>>();

export function openRegistry(ctx: RegistryDeps): Promise<CommandRegistry> {
  let registry = opened.get(ctx);
  if (!registry) {
    registry = connect(ctx);
    opened.set(ctx, registry);
    registry.catch(() => opened.delete(ctx));
  }
  return registry;
}

async function connect(ctx: RegistryDeps): Promise<CommandRegistry> {
  const parameter = ctx.env.tokenParameter;
  const token = (await ctx.secrets.get(parameter, { decrypt: true }))?.value.trim();
  if (!token)
    throw new UserError(`no Discord token in SSM parameter ${parameter}`, 'slash commands are registered with it', {
      fix: `ydeploy init --store-token --env ${ctx.env.name}`,
    });
  const { id } = await ctx.discord.application(token, ctx.signal);
  const guild = guildOf(ctx.env);
  return {
    scope: scopeOf(ctx.env),
    registered: () => ctx.discord.commands(token, id, guild, ctx.signal),
    overwrite: (defs) => ctx.discord.overwriteCommands(token, id, defs, guild, ctx.signal),
  };
}
