// What a built release holds, as lines for `deploy --dry-run` and as data for --json: the entry
// and the team's package and commit, each file's size (node_modules/ as one line), the commands.
import type { BuiltRelease } from '../core/context.js';

export interface BundleSummary {
  entry?: string;
  bot?: string;
  commit?: string;
  ydeploy?: string;
  bytes: Record<string, number>;
  totalBytes: number;
  commands?: string[];
  nodeOptions?: string;
  notes?: string[];
}

export function bundleSummary(built: BuiltRelease): BundleSummary {
  const { manifest } = built;
  const git = manifest.git;
  return {
    entry: manifest.bot?.entry,
    bot: manifest.bot ? `${manifest.bot.name}@${manifest.bot.version}` : undefined,
    commit: git
      ? `${git.commit.slice(0, 12)}${git.dirty ? ' (dirty)' : ''}`
      : git === null
        ? 'not a git checkout'
        : undefined,
    ydeploy: manifest.ydeploy,
    bytes: built.bytes,
    totalBytes: Object.values(built.bytes).reduce((a, b) => a + b, 0),
    commands: manifest.commands?.map((c) => c.name),
    nodeOptions: manifest.nodeOptions,
    notes: built.notes,
  };
}

export function bundleLines(summary: BundleSummary, version: string): string[] {
  const lines = [`release ${version} would bundle:`];
  if (summary.entry) lines.push(`  entry     ${summary.entry}${summary.bot ? ` (${summary.bot})` : ''}`);
  if (summary.commit) lines.push(`  commit    ${summary.commit}`);
  for (const [name, bytes] of groupedSizes(summary.bytes)) lines.push(`  ${name.padEnd(24)} ${size(bytes)}`);
  lines.push(`  ${'total'.padEnd(24)} ${size(summary.totalBytes)}`);
  if (summary.nodeOptions) lines.push(`  node      ${summary.nodeOptions}`);
  const commands = summary.commands;
  lines.push(
    `  commands  ${commands === undefined ? 'unknown (not synced)' : commands.length ? commands.map((c) => `/${c}`).join(', ') : 'none'}`,
  );
  for (const note of summary.notes ?? []) lines.push(`  note      ${note}`);
  return lines;
}

/** Each file, except everything under node_modules/<package>/ summed per package. */
function groupedSizes(bytes: Record<string, number>): [string, number][] {
  const out = new Map<string, number>();
  for (const [file, n] of Object.entries(bytes)) {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    const key = match ? `node_modules/${match[1]}/` : file;
    out.set(key, (out.get(key) ?? 0) + n);
  }
  return [...out];
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
