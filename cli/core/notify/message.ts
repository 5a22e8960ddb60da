// A run's notification as Discord shows it: one embed (environment, release, commit, who,
// duration, steps, the command to read the logs) and a one-line `content` for push
// notifications and clients that hide embeds. Pure: the same facts give the same message.
import type { WebhookEmbed, WebhookMessage } from '../../ports.js';
import type { RunFacts, RunPhase } from '../flows/facts.js';

type Announced = Exclude<RunPhase, 'before'>;

const LOOK: Record<Announced, { emoji: string; says: string; color: number }> = {
  started: { emoji: '🚀', says: 'started', color: 0x5865f2 },
  succeeded: { emoji: '✅', says: 'succeeded', color: 0x57f287 },
  failed: { emoji: '❌', says: 'failed', color: 0xed4245 },
  'rolled-back': { emoji: '↩️', says: 'failed and was rolled back', color: 0xfee75c },
  interrupted: { emoji: '⏹️', says: 'was interrupted', color: 0x95a5a6 },
};

/** Discord's limits on an embed's parts (Execute Webhook refuses longer ones). */
const FIELD_VALUE_MAX = 1024;
const DESCRIPTION_MAX = 4096;
const STEPS_SHOWN = 8;

export function notificationMessage(facts: RunFacts & { phase: Announced }): WebhookMessage {
  const look = LOOK[facts.phase];
  const title = `${look.emoji} ${facts.command} ${look.says} · ${facts.environment}`;
  const took = facts.durationMs === undefined ? '' : ` in ${humanDuration(facts.durationMs)}`;
  const release = facts.release ? ` ${facts.release}` : '';
  const embed: WebhookEmbed = {
    title,
    color: look.color,
    fields: [
      field('Environment', facts.environment),
      field('Release', [facts.release ?? '—', facts.bot ? `(${facts.bot})` : ''].filter(Boolean).join(' ')),
      field('Commit', facts.commit ? `\`${facts.commit}\`` : '—'),
      field('Who', [facts.who, facts.identity ? `\`${facts.identity}\`` : ''].filter(Boolean).join('\n'), false),
      ...(facts.durationMs !== undefined ? [field('Duration', humanDuration(facts.durationMs))] : []),
      ...(facts.deploymentId ? [field('Deployment', `\`${facts.deploymentId}\``)] : []),
      ...(facts.steps.length ? [field('Steps', stepLines(facts.steps), false)] : []),
      field('Logs', `\`${logsCommand(facts)}\``, false),
    ],
    footer: { text: `ydeploy${facts.resumed ? ' · resumed' : ''}` },
  };
  if (facts.error) embed.description = clip(facts.error, DESCRIPTION_MAX);
  return {
    username: 'ydeploy',
    content: clip(
      `${look.emoji} ${facts.command}${release} ${look.says} in ${facts.environment} by ${facts.who}${took}`,
      2000,
    ),
    embeds: [embed],
    // A release name or an error text must never ping anyone.
    allowed_mentions: { parse: [] },
  };
}

/** The logs of the run's whole span, or the live tail while it runs. */
export function logsCommand(facts: Pick<RunFacts, 'environment' | 'durationMs' | 'phase'>): string {
  if (facts.phase === 'started' || facts.durationMs === undefined)
    return `ydeploy logs --env ${facts.environment} --follow`;
  const minutes = Math.max(5, Math.ceil(facts.durationMs / 60_000) + 1);
  return `ydeploy logs --env ${facts.environment} --since ${minutes}m`;
}

/** "850ms", "42s", "2m 13s", "1h 4m". */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function stepLines(steps: RunFacts['steps']): string {
  const mark: Record<string, string> = { succeeded: '✔', failed: '✖', skipped: '–', interrupted: '⏹', running: '…' };
  const shown = steps.slice(-STEPS_SHOWN).map((s) => {
    const took = s.seconds === undefined ? '' : ` (${humanDuration(s.seconds * 1000)})`;
    return `${mark[s.outcome] ?? '·'} ${s.title}${took}`;
  });
  const more = steps.length > STEPS_SHOWN ? [`… ${steps.length - STEPS_SHOWN} earlier`] : [];
  return clip([...more, ...shown].join('\n'), FIELD_VALUE_MAX);
}

function field(name: string, value: string, inline = true): { name: string; value: string; inline: boolean } {
  return { name, value: clip(value || '—', FIELD_VALUE_MAX), inline };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
