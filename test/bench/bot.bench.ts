// The bundled bot against the emulator: login -> healthy as seen on /health, and RSS after ready.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRelease } from '../../cli/release/build.js';
import { botEnv, probe, rssMiB, scratch, sleep, spawnEntry, startHealth } from '../_helpers/bot.js';
import { startEmulator } from '../_helpers/discord.js';
import type { BenchResult } from './run.js';

const TOKEN = 'MTA5.bench-token.Bb1';

export default async function bench(): Promise<BenchResult[]> {
  const { dir: release } = await buildRelease({
    version: 'bench',
    outDir: join(mkdtempSync(join(tmpdir(), 'ydb-bench-')), 'release'),
  });
  const emulator = await startEmulator({ tokens: [TOKEN] });
  const runs: { loginToHealthy: number; spawnToHealthy: number; rss: number }[] = [];
  try {
    for (let run = 0; run < 3; run++) {
      const env = botEnv({
        api: emulator.apiBase,
        token: TOKEN,
        dir: scratch(),
        instanceId: `i-bench-${run}`,
        extra: { HEALTH_CACHE_MS: '0' },
      });
      const health = await startHealth(env, { release });
      const spawned = Date.now();
      const bot = spawnEntry('bot', env, { release });
      try {
        let healthyAt = 0;
        while (Date.now() - spawned < 20_000) {
          if ((await probe(health.url)).body.status === 'healthy') {
            healthyAt = Date.now();
            break;
          }
          await sleep(2);
        }
        if (!healthyAt) throw new Error(`bot never became healthy: ${bot.output()}`);
        const login = bot
          .output()
          .split('\n')
          .find((line) => line.includes('"connecting to Discord"'));
        const loginAt = Date.parse(JSON.parse(login!).time);
        await sleep(3000); // settle, then measure resident memory
        runs.push({ loginToHealthy: healthyAt - loginAt, spawnToHealthy: healthyAt - spawned, rss: rssMiB(bot.pid) });
      } finally {
        await bot.stop('SIGTERM');
        await health.stop('SIGKILL');
      }
    }
  } finally {
    await emulator.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const login = median(runs.map((r) => r.loginToHealthy));
  const rss = Math.max(...runs.map((r) => r.rss));
  return [
    {
      name: 'bot login -> healthy on /health',
      value: login,
      unit: 'ms',
      target: '<= 1000',
      pass: login <= 1000,
      detail: `median of 3; process spawn -> healthy ${median(runs.map((r) => r.spawnToHealthy))} ms`,
    },
    {
      name: 'bot RSS after ready',
      value: rss,
      unit: 'MiB',
      target: '<= 100',
      pass: rss <= 100,
      detail: `max of 3 runs, 3 s after ready: ${runs.map((r) => r.rss.toFixed(1)).join(', ')} MiB`,
    },
  ];
}
