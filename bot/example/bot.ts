// The example bot: what ydeploy deploys when no bot.entry is configured, and the first user of
// the runtime API. A team's bot has the same shape, importing defineBot from 'ydeploy/bot'.
import { defineBot } from '../index.js';

export default defineBot({
  commands: [
    {
      data: { name: 'ping', description: 'Latency, and which instance and release answered' },
      async run(interaction, ctx) {
        const latency = Date.now() - interaction.createdTimestamp;
        await interaction.reply(
          `Pong! ${latency} ms (gateway ${interaction.client.ws.ping} ms) · instance ${ctx.instanceId} · ${ctx.version}`,
        );
      },
    },
    {
      data: { name: 'status', description: 'This bot instance: release, role, uptime, guilds' },
      async run(interaction, ctx) {
        const uptime = Math.round((Date.now() - ctx.startedAt) / 1000);
        await interaction.reply(
          `instance ${ctx.instanceId} · ${ctx.version} · ${ctx.role()} · up ${uptime} s · ${interaction.client.guilds.cache.size} guilds`,
        );
      },
    },
  ],
});
