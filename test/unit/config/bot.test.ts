// The `bot` and `sandbox` sections and an environment's `guild`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnvironment, parseConfig } from '../../../cli/config/load.js';

describe('bot config', () => {
  it('fills the defaults of a bot section', () => {
    const config = parseConfig(JSON.stringify({ bot: { entry: 'src/bot.ts' } }), 'c.json');
    expect(config.bot).toEqual({ entry: 'src/bot.ts', external: [], files: [] });
    expect(config.sandbox).toEqual({ legacy: true });
  });

  it.each([
    [{ bot: { external: ['Not A Package'] } }, '$.bot.external.0: must be an npm package name'],
    [{ bot: { nodeOptions: '--inspect; rm -rf /' } }, '$.bot.nodeOptions: must be node flags'],
    [{ bot: { entry: 'a.ts', typo: 1 } }, '$.bot'],
    [{ sandbox: { legacy: 'no' } }, '$.sandbox.legacy'],
    [
      { environments: { prod: { stateBucket: 'abc', tokenParameter: '/t', guild: 'x12' } } },
      '$.environments.prod.guild: must be a Discord guild id',
    ],
  ])('refuses %j', (raw, problem) => {
    expect(() => parseConfig(JSON.stringify(raw), 'c.json')).toThrow(problem);
  });

  it('accepts node flags, scoped externals and a guild', () => {
    const config = parseConfig(
      JSON.stringify({
        bot: { nodeOptions: '--max-old-space-size=256 --enable-source-maps', external: ['@napi-rs/canvas', 'sharp'] },
        environments: { prod: { stateBucket: 'abc', tokenParameter: '/t', guild: '123456789012345678' } },
      }),
      'c.json',
    );
    expect(config.bot?.nodeOptions).toBe('--max-old-space-size=256 --enable-source-maps');
    expect(config.environments.prod.guild).toBe('123456789012345678');
  });

  it('the resolved environment carries the bot, the config folder and the sandbox settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ydeploy-config-'));
    writeFileSync(
      join(dir, 'ydeploy.config.json'),
      JSON.stringify({ bot: { entry: 'src/bot.ts', test: 'npm test' }, sandbox: { legacy: false } }),
    );
    const env = await loadEnvironment({ cwd: dir, environment: {}, env: 'sandbox' });
    expect(env.configDir).toBe(dir);
    expect(env.bot).toMatchObject({ entry: 'src/bot.ts', test: 'npm test' });
    expect(env.sandboxSettings).toEqual({ legacy: false });
    const bare = await loadEnvironment({ cwd: join(dir, 'none'), environment: {}, env: 'sandbox' });
    expect(bare.bot).toBeUndefined();
    expect(bare.configDir).toBe(join(dir, 'none'));
  });
});
