// A deployment's notification latency: from the moment a deploy's journal says it succeeded
// (the flow's end) to the Discord emulator recording the "succeeded" message, through the real
// webhook adapter over loopback HTTP; and what the notification adds to the flow's own time
// (the flow resolving after its end). The deploy itself runs against the in-memory fakes, so
// only the notification path is real.
import type { BenchResult } from './run.js';
import { DiscordWebhook } from '../../cli/adapters/discord-webhook.js';
import { deploy } from '../../cli/core/flows/deploy.js';
import { emptyDesired } from '../../cli/core/desired/state.js';
import { keys } from '../../cli/core/storage.js';
import { coreContext, EXAMPLE_COMMANDS, FakeWorld } from '../_helpers/fakes.js';
import { startEmulator } from '../_helpers/discord.js';

const RUNS = 20;
const TARGET_MS = 250;

export default async function (): Promise<BenchResult[]> {
  const emulator = await startEmulator({ tokens: [] });
  try {
    const res = await fetch(`${emulator.controlUrl}/webhooks`, { method: 'POST', body: '{}' });
    const { url, id } = (await res.json()) as { url: string; id: string };
    const latencies: number[] = [];
    const added: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { ctx } = await world(url);
      let ended: number | undefined;
      // The flow's end: the journal write that records the outcome.
      const put = ctx.store.put.bind(ctx.store);
      ctx.store.put = async (key, body, options) => {
        const result = await put(key, body, options);
        if (key.includes('/journal/') && String(body).includes('"outcome": "succeeded"')) ended ??= Date.now();
        return result;
      };
      await deploy(ctx, { release: 'v2' });
      const resolved = Date.now();
      const got = emulator.state.webhookExecutions.filter((m) => m.webhookId === id && m.content.includes('succeeded'));
      const last = got.at(-1);
      if (!last || ended === undefined) throw new Error('the succeeded notification was not recorded');
      latencies.push(last.receivedAt - ended);
      added.push(resolved - ended);
    }
    const p = (xs: number[], q: number) =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
    const median = p(latencies, 0.5);
    return [
      {
        name: 'flow end → emulator recorded "succeeded" (median)',
        value: median,
        unit: 'ms',
        target: `< ${TARGET_MS} ms`,
        pass: median < TARGET_MS,
        detail: `${RUNS} deploys; p95 ${p(latencies, 0.95)} ms, max ${Math.max(...latencies)} ms`,
      },
      {
        name: 'flow end → deploy() resolved (median)',
        value: p(added, 0.5),
        unit: 'ms',
        detail: `max ${Math.max(...added)} ms; bounded by notify.timeout (5 s)`,
      },
    ];
  } finally {
    await emulator.stop();
  }
}

async function world(url: string) {
  const world = new FakeWorld();
  const ctx = coreContext(world, { webhook: new DiscordWebhook() });
  await ctx.secrets.putSecure('/ydeploy/test/notify/discord-webhook', url);
  const desired = { ...emptyDesired(ctx.env), enable_enhanced_instance: true, release_version: 'v1' };
  await world.terraform.apply({ varFiles: [await world.writeVarFile(desired)] });
  await ctx.store.put(keys.desired('test'), JSON.stringify(desired));
  world.withRelease('v1');
  world.discord.seed(EXAMPLE_COMMANDS);
  return { world, ctx };
}
