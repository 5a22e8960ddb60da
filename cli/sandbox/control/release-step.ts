// Builds the sandbox's legacy release and uploads it into the sandbox's release bucket (moto),
// through the release engineer's buildRelease/uploadRelease: the project's bot (bot.entry) when
// the config has one, else the example bot.
import { dirname, join } from 'node:path';
import type { ResolvedEnvironment } from '../../config/load.js';
import { buildRelease, type BotBuildOptions } from '../../release/build.js';
import { uploadRelease, type ReleaseStore } from '../../release/upload.js';

export async function publishRelease(o: {
  releases: ReleaseStore;
  version: string;
  workDir: string;
  environment?: Pick<ResolvedEnvironment, 'bot' | 'configDir' | 'configFile'>;
}): Promise<void> {
  const { dir } = await buildRelease({
    version: o.version,
    outDir: join(o.workDir, o.version),
    bot: botOf(o.environment),
  });
  await uploadRelease(o.releases, dir, o.version);
}

function botOf(environment: Pick<ResolvedEnvironment, 'bot' | 'configDir' | 'configFile'> | undefined) {
  if (!environment?.bot) return undefined;
  const configDir = environment.configDir ?? (environment.configFile ? dirname(environment.configFile) : process.cwd());
  const bot: BotBuildOptions = { ...environment.bot, configDir, configFile: environment.configFile, cwd: configDir };
  return bot;
}
